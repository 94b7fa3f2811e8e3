import type { Serde } from '../serde/types.js';
import { readInt64BE, writeInt64BE } from './internal/bytes.js';
import { int64Serde } from '../serde/primitive-serdes.js';
import type { ValueAndTimestamp } from './types.js';

/** A serde made by `valueAndTimestampSerde`: its values are fresh `{ timestamp, value }` objects; `timestampedValueSerde` decodes the value part. */
export interface ValueAndTimestampSerde<V> extends Serde<ValueAndTimestamp<V>> {
  readonly timestampedValueSerde: Serde<V>;
}

/** The inner serde when `serde` was made by `valueAndTimestampSerde`, else undefined. */
export function valueAndTimestampInner(serde: Serde<unknown>): Serde<unknown> | undefined {
  return 'timestampedValueSerde' in serde && typeof serde.timestampedValueSerde === 'object' && serde.timestampedValueSerde !== null
    ? (serde.timestampedValueSerde as Serde<unknown>)
    : undefined;
}

/** Serde of `ValueAndTimestamp<V>` as `[8-byte big-endian timestamp][value bytes]` (the Kafka Streams layout). */
export function valueAndTimestampSerde<V>(inner: Serde<V>): ValueAndTimestampSerde<V> {
  const int64 = (inner as Serde<unknown>) === int64Serde;
  return {
    timestampedValueSerde: inner,
    serialize(vt: ValueAndTimestamp<V>, topic?: string): Buffer {
      const value = vt.value as unknown;
      if (int64 && Number.isSafeInteger(value)) {
        // The int64 serde's 8 bytes written in place: one buffer instead of two.
        const out = Buffer.allocUnsafe(16);
        writeInt64BE(out, vt.timestamp, 0);
        writeInt64BE(out, value as number, 8);
        return out;
      }
      const v = inner.serialize(vt.value, topic);
      const out = Buffer.allocUnsafe(8 + v.length);
      writeInt64BE(out, vt.timestamp, 0);
      v.copy(out, 8);
      return out;
    },
    deserialize(data: Buffer, topic?: string): ValueAndTimestamp<V> {
      return { timestamp: readInt64BE(data, 0), value: inner.deserialize(data.subarray(8), topic) };
    },
  };
}

/** The timestamp of a serialized `ValueAndTimestamp`, or undefined for a deletion. */
export function timestampOfBytes(value: Buffer | null): number | undefined {
  return value === null ? undefined : readInt64BE(value, 0);
}
