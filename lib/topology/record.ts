/**
 * Helpers to create and derive `Record`s. Derivations keep a lazily decoded value lazy: the
 * runtime's sources expose `value` as a getter that deserializes on first read, and a processor
 * that changes only the key (selectKey, repartition, count) must not force it.
 *
 * Contract with the runtime: a record whose `value` is an accessor property holds a non-null
 * value (null bytes are decoded eagerly to a plain `value: null`), so `hasNullValue` can answer
 * without decoding.
 */
import type { Headers } from '../kafka/types.js';
import type { Record } from './processor.js';

export function createRecord<K, V>(key: K, value: V, timestamp: number, headers: Headers = {}): Record<K, V> {
  return { key, value, timestamp, headers };
}

function isLazy(record: Record<unknown, unknown>): boolean {
  const d = Object.getOwnPropertyDescriptor(record, 'value');
  return d !== undefined && d.get !== undefined;
}

/** The same record with another key; the value is not read. */
export function withKey<K, V, KR>(record: Record<K, V>, key: KR): Record<KR, V> {
  if (!isLazy(record)) return { key, value: record.value, timestamp: record.timestamp, headers: record.headers };
  return {
    key,
    get value(): V {
      return record.value;
    },
    timestamp: record.timestamp,
    headers: record.headers,
  };
}

export function withValue<K, V, VR>(record: Record<K, V>, value: VR): Record<K, VR> {
  return { key: record.key, value, timestamp: record.timestamp, headers: record.headers };
}

export function withKeyValue<K, V, KR, VR>(record: Record<K, V>, key: KR, value: VR): Record<KR, VR> {
  return { key, value, timestamp: record.timestamp, headers: record.headers };
}

/** The same record with another timestamp; the value is not read. */
export function withTimestamp<K, V>(record: Record<K, V>, timestamp: number): Record<K, V> {
  if (!isLazy(record)) return { key: record.key, value: record.value, timestamp, headers: record.headers };
  return {
    key: record.key,
    get value(): V {
      return record.value;
    },
    timestamp,
    headers: record.headers,
  };
}

/** True when the value is null or undefined, without decoding a lazily decoded value. */
export function hasNullValue(record: Record<unknown, unknown>): boolean {
  return !isLazy(record) && (record.value === null || record.value === undefined);
}
