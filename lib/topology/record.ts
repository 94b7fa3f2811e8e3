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

/** Makes a Processor API record with a key, value, timestamp and headers. */
export function createRecord<K, V>(key: K, value: V, timestamp: number, headers: Headers = {}): Record<K, V> {
  return { key, value, timestamp, headers };
}

/**
 * Brand on the prototypes of the lazy record classes (here and the runtime's source record): a
 * property read instead of allocating a property descriptor per record.
 */
export const LAZY_VALUE: unique symbol = Symbol('tributary.lazyValue');

/**
 * Method of lazy records: `[UNREAD_VALUE_BYTES](serde)` gives the value's input bytes while the
 * value was never read and `serde` decodes them as the source's serde does; else null.
 */
export const UNREAD_VALUE_BYTES: unique symbol = Symbol('tributary.unreadValueBytes');

/**
 * A processor that never hands its input record object on — not to user code, not to `forward`
 * — and only reads its fields (`key`, `value`, `timestamp`, `headers`) says so with this typed
 * property. A source whose children all are such processors may give them lazy records whose
 * `value` getter is inherited rather than own (cheaper to create; a spread would not copy it).
 */
export interface FieldsOnlyReader {
  readonly readsRecordFieldsOnly: true;
}

export function readsRecordFieldsOnly(processor: object): processor is FieldsOnlyReader {
  return 'readsRecordFieldsOnly' in processor && processor.readsRecordFieldsOnly === true;
}

type WithUnreadBytes = { [UNREAD_VALUE_BYTES]?: (serde: unknown) => Buffer | null };

/** The input bytes of a lazy record's value that nothing has read yet (see `UNREAD_VALUE_BYTES`), or null. */
export function unreadValueBytes(record: Record<unknown, unknown>, serde: unknown): Buffer | null {
  const f = (record as WithUnreadBytes)[UNREAD_VALUE_BYTES];
  return f === undefined ? null : f.call(record, serde);
}

function isLazy(record: Record<unknown, unknown>): boolean {
  if ((record as { [LAZY_VALUE]?: boolean })[LAZY_VALUE] === true) return true;
  const d = Object.getOwnPropertyDescriptor(record, 'value');
  return d !== undefined && d.get !== undefined;
}

/**
 * A record derived from a lazy one (another key or timestamp) whose value is still read from
 * that record on first access. Like the runtime's source records, `value` is an own, enumerable
 * accessor (spreading reads it; `isLazy` sees it) whose getter is shared by all instances: an
 * object literal with a getter would allocate a closure and an accessor pair per record.
 */
class DerivedLazyRecord<K, V> {
  // Declared only: the constructor creates them in the order of an object literal record.
  declare readonly key: K;
  declare readonly value: V;
  declare readonly timestamp: number;
  declare readonly headers: Headers;
  #from: Record<unknown, V>;

  constructor(from: Record<unknown, V>, key: K, timestamp: number, headers: Headers) {
    (this as { key: K }).key = key;
    Object.defineProperty(this, 'value', DerivedLazyRecord.valueProperty);
    (this as { timestamp: number }).timestamp = timestamp;
    (this as { headers: Headers }).headers = headers;
    this.#from = from;
  }

  private static readonly valueProperty: PropertyDescriptor = {
    get(this: DerivedLazyRecord<unknown, unknown>): unknown {
      return this.#from.value;
    },
    enumerable: true,
    configurable: true,
  };

  [UNREAD_VALUE_BYTES](serde: unknown): Buffer | null {
    return unreadValueBytes(this.#from, serde);
  }
}
Object.defineProperty(DerivedLazyRecord.prototype, LAZY_VALUE, { value: true });

/** The same record with another key; the value is not read. */
export function withKey<K, V, KR>(record: Record<K, V>, key: KR): Record<KR, V> {
  if (!isLazy(record)) return { key, value: record.value, timestamp: record.timestamp, headers: record.headers };
  return new DerivedLazyRecord<KR, V>(record as Record<unknown, V>, key, record.timestamp, record.headers);
}

/** A copy of `record` with a new value (key, timestamp and headers kept). */
export function withValue<K, V, VR>(record: Record<K, V>, value: VR): Record<K, VR> {
  return { key: record.key, value, timestamp: record.timestamp, headers: record.headers };
}

/** A copy of `record` with a new key and value (timestamp and headers kept). */
export function withKeyValue<K, V, KR, VR>(record: Record<K, V>, key: KR, value: VR): Record<KR, VR> {
  return { key, value, timestamp: record.timestamp, headers: record.headers };
}

/** The same record with another timestamp; the value is not read. */
export function withTimestamp<K, V>(record: Record<K, V>, timestamp: number): Record<K, V> {
  if (!isLazy(record)) return { key: record.key, value: record.value, timestamp, headers: record.headers };
  return new DerivedLazyRecord<K, V>(record as Record<unknown, V>, record.key, timestamp, record.headers);
}

/** True when the value is null or undefined, without decoding a lazily decoded value. */
export function hasNullValue(record: Record<unknown, unknown>): boolean {
  return !isLazy(record) && (record.value === null || record.value === undefined);
}
