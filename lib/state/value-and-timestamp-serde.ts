import type { Serde } from '../serde/types.js';
import { readInt64BE, writeInt64BE } from './internal/bytes.js';
import type { ValueAndTimestamp } from './types.js';

/** Serde of `ValueAndTimestamp<V>` as `[8-byte big-endian timestamp][value bytes]` (the Kafka Streams layout). */
export function valueAndTimestampSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  return {
    serialize(vt: ValueAndTimestamp<V>, topic?: string): Buffer {
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
