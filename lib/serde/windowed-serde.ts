/**
 * Serdes for windowed keys, in Kafka Streams' layouts so Java consumers read our output topics:
 * time windows are `<key bytes><8-byte BE window start>` (`TimeWindowedSerializer`; the end is
 * start + window size, which the reader must know); session windows are
 * `<key bytes><8-byte BE end><8-byte BE start>` (`SessionWindowedSerializer`).
 */
import type { Windowed } from '../state/types.js';
import type { Serde } from './types.js';
import { serdeError } from './serde-error.js';

export function timeWindowedSerde<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
  if (!(windowSizeMs > 0)) throw serdeError(`time-windowed serde: window size must be > 0, got ${windowSizeMs}`, undefined);
  return {
    serialize(value, topic) {
      const key = inner.serialize(value.key, topic);
      const out = Buffer.allocUnsafe(key.length + 8);
      key.copy(out, 0);
      out.writeBigInt64BE(BigInt(value.window.start), key.length);
      return out;
    },
    deserialize(data, topic) {
      if (data.length < 8) throw serdeError(`time-windowed serde: ${data.length} bytes is too short`, topic);
      const start = Number(data.readBigInt64BE(data.length - 8));
      const key = inner.deserialize(data.subarray(0, data.length - 8), topic);
      // Kafka Streams caps the end at Long.MAX_VALUE; JS numbers stay exact up to 2^53.
      return { key, window: { start, end: start + windowSizeMs } };
    },
  };
}

export function sessionWindowedSerde<K>(inner: Serde<K>): Serde<Windowed<K>> {
  return {
    serialize(value, topic) {
      const key = inner.serialize(value.key, topic);
      const out = Buffer.allocUnsafe(key.length + 16);
      key.copy(out, 0);
      out.writeBigInt64BE(BigInt(value.window.end), key.length);
      out.writeBigInt64BE(BigInt(value.window.start), key.length + 8);
      return out;
    },
    deserialize(data, topic) {
      if (data.length < 16) throw serdeError(`session-windowed serde: ${data.length} bytes is too short`, topic);
      const end = Number(data.readBigInt64BE(data.length - 16));
      const start = Number(data.readBigInt64BE(data.length - 8));
      return { key: inner.deserialize(data.subarray(0, data.length - 16), topic), window: { start, end } };
    },
  };
}
