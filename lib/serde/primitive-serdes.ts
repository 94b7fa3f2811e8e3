/**
 * Serdes for primitive types, byte-compatible with the Kafka Java client's serializers:
 * UTF-8 strings, raw bytes, big-endian 32-bit ints, 64-bit longs (as JS numbers) and doubles.
 */
import type { Serde } from './types.js';
import { serdeError } from './serde-error.js';

export const stringSerde: Serde<string> = {
  serialize: (value) => Buffer.from(value, 'utf8'),
  deserialize: (data) => data.toString('utf8'),
};

/** Passes bytes through unchanged (no copy). */
export const bytesSerde: Serde<Buffer> = {
  serialize: (value) => value,
  deserialize: (data) => data,
};

/** Java `IntegerSerializer`: 4 bytes, big-endian, two's complement. */
export const int32Serde: Serde<number> = {
  serialize(value, topic) {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw serdeError(`int32 serde: ${value} is not a 32-bit integer`, topic);
    }
    const buf = Buffer.allocUnsafe(4);
    buf.writeInt32BE(value, 0);
    return buf;
  },
  deserialize(data, topic) {
    if (data.length !== 4) throw serdeError(`int32 serde: expected 4 bytes, got ${data.length}`, topic);
    return data.readInt32BE(0);
  },
};

/**
 * Java `LongSerializer`: 8 bytes, big-endian, as a JS number. Values outside ±(2^53 - 1) cannot be
 * represented exactly and throw rather than silently lose precision.
 */
export const int64Serde: Serde<number> = {
  serialize(value, topic) {
    if (!Number.isSafeInteger(value)) throw serdeError(`int64 serde: ${value} is not a safe integer`, topic);
    const buf = Buffer.allocUnsafe(8);
    buf.writeBigInt64BE(BigInt(value), 0);
    return buf;
  },
  deserialize(data, topic) {
    if (data.length !== 8) throw serdeError(`int64 serde: expected 8 bytes, got ${data.length}`, topic);
    const n = data.readBigInt64BE(0);
    if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw serdeError(`int64 serde: ${n} does not fit a JS number exactly`, topic);
    }
    return Number(n);
  },
};

/** Java `DoubleSerializer`: 8 bytes, big-endian IEEE 754. */
export const doubleSerde: Serde<number> = {
  serialize(value) {
    const buf = Buffer.allocUnsafe(8);
    buf.writeDoubleBE(value, 0);
    return buf;
  },
  deserialize(data, topic) {
    if (data.length !== 8) throw serdeError(`double serde: expected 8 bytes, got ${data.length}`, topic);
    return data.readDoubleBE(0);
  },
};
