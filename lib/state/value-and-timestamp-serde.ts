import type { Serde } from '../serde/types.js';
import { readInt64BE, writeInt64BE } from './internal/bytes.js';
import { int64Serde } from '../serde/primitive-serdes.js';
import type { ValueAndTimestamp } from './types.js';

const VT_SERDES = new WeakMap<object, Serde<unknown>>();

/** The inner serde when `serde` was made by `valueAndTimestampSerde` (its values are fresh `{ timestamp, value }` objects), else undefined. */
export function valueAndTimestampInner(serde: object): Serde<unknown> | undefined {
  return VT_SERDES.get(serde);
}

/** Serde of `ValueAndTimestamp<V>` as `[8-byte big-endian timestamp][value bytes]` (the Kafka Streams layout). */
export function valueAndTimestampSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  const int64 = (inner as Serde<unknown>) === int64Serde;
  const serde: Serde<ValueAndTimestamp<V>> = {
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
  VT_SERDES.set(serde, inner as Serde<unknown>);
  return serde;
}

/** The timestamp of a serialized `ValueAndTimestamp`, or undefined for a deletion. */
export function timestampOfBytes(value: Buffer | null): number | undefined {
  return value === null ? undefined : readInt64BE(value, 0);
}
