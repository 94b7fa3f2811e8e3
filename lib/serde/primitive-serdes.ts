/**
 * Serdes for primitive types, byte-compatible with the Kafka Java client's serializers:
 * UTF-8 strings, raw bytes, big-endian 32-bit ints, 64-bit longs (as JS numbers) and doubles.
 */
import type { Serde } from './types.js';
import { serdeError } from './serde-error.js';
import { utf8Text } from './utf8.js';

const TWO_32 = 0x1_0000_0000;

export const stringSerde: Serde<string> = {
  format: 'string',
  serialize: (value) => Buffer.from(value, 'utf8'),
  serializeText: (value) => value,
  deserialize: (data) => data.toString('utf8'),
  deserializeRange: (data, start, end) => utf8Text(data, start, end),
};

/** Passes bytes through unchanged (no copy). */
export const bytesSerde: Serde<Buffer> = {
  format: 'bytes',
  serialize: (value) => value,
  deserialize: (data) => data,
};

/** Java `IntegerSerializer`: 4 bytes, big-endian, two's complement. */
export const int32Serde: Serde<number> = {
  format: 'int32',
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
  format: 'int64',
  serialize(value, topic) {
    if (!Number.isSafeInteger(value)) throw serdeError(`int64 serde: ${value} is not a safe integer`, topic);
    // Two 32-bit halves, no BigInt: exact for every safe integer (two's complement high word).
    const buf = Buffer.allocUnsafe(8);
    buf.writeInt32BE(Math.floor(value / TWO_32), 0);
    buf.writeUInt32BE(value >>> 0, 4);
    return buf;
  },
  deserialize(data, topic) {
    if (data.length !== 8) throw serdeError(`int64 serde: expected 8 bytes, got ${data.length}`, topic);
    const hi = data.readInt32BE(0);
    const lo = data.readUInt32BE(4);
    // Safe iff -(2^53 - 1) <= hi * 2^32 + lo <= 2^53 - 1, i.e. -2^21 <= hi < 2^21 except (-2^21, 0).
    if (hi < -0x200000 || hi >= 0x200000 || (hi === -0x200000 && lo === 0)) {
      throw serdeError(`int64 serde: ${data.readBigInt64BE(0)} does not fit a JS number exactly`, topic);
    }
    return hi * TWO_32 + lo;
  },
};

/** Java `DoubleSerializer`: 8 bytes, big-endian IEEE 754. */
export const doubleSerde: Serde<number> = {
  format: 'double',
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
