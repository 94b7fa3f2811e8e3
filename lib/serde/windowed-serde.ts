/**
 * Serdes for windowed keys, in Kafka Streams' layouts so Java consumers read our output topics:
 * time windows are `<key bytes><8-byte BE window start>` (`TimeWindowedSerializer`; the end is
 * start + window size, which the reader must know); session windows are
 * `<key bytes><8-byte BE end><8-byte BE start>` (`SessionWindowedSerializer`).
 */
import type { Windowed } from '../state/types.js';
import type { Serde } from './types.js';
import { serdeError } from './serde-error.js';

const TWO_32 = 0x1_0000_0000;

/** Writes a time as 8 bytes BE two's complement: two 32-bit halves for safe integers, BigInt otherwise (same bytes, same errors). */
function writeTime(out: Buffer, time: number, offset: number): void {
  if (Number.isSafeInteger(time)) {
    out.writeInt32BE(Math.floor(time / TWO_32), offset);
    out.writeUInt32BE(time >>> 0, offset + 4);
  } else out.writeBigInt64BE(BigInt(time), offset);
}

/** Reads 8 bytes BE two's complement as a number: exact halves when the value is safe, BigInt rounding otherwise (as before). */
function readTime(data: Buffer, offset: number): number {
  const hi = data.readInt32BE(offset);
  if (hi >= -0x200000 && hi < 0x200000) return hi * TWO_32 + data.readUInt32BE(offset + 4);
  return Number(data.readBigInt64BE(offset));
}

export function timeWindowedSerde<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
  if (!(windowSizeMs > 0)) throw serdeError(`time-windowed serde: window size must be > 0, got ${windowSizeMs}`, undefined);
  return {
    serialize(value, topic) {
      const key = inner.serialize(value.key, topic);
      const out = Buffer.allocUnsafe(key.length + 8);
      key.copy(out, 0);
      writeTime(out, value.window.start, key.length);
      return out;
    },
    deserialize(data, topic) {
      if (data.length < 8) throw serdeError(`time-windowed serde: ${data.length} bytes is too short`, topic);
      const start = readTime(data, data.length - 8);
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
      writeTime(out, value.window.end, key.length);
      writeTime(out, value.window.start, key.length + 8);
      return out;
    },
    deserialize(data, topic) {
      if (data.length < 16) throw serdeError(`session-windowed serde: ${data.length} bytes is too short`, topic);
      const end = Number(data.readBigInt64BE(data.length - 16));
      const start = readTime(data, data.length - 8);
      return { key: inner.deserialize(data.subarray(0, data.length - 16), topic), window: { start, end } };
    },
  };
}
