/**
 * Byte helpers shared by the store backends. Keys are kept as latin1 strings inside the stores:
 * latin1 maps every byte to one UTF-16 code unit, so JS string comparison equals unsigned
 * byte-wise comparison (the order LevelDB and Kafka Streams use), and strings are cheap map keys.
 */

/** The latin1 string form of `bytes`; compares like the bytes. */
export function keyString(bytes: Buffer): string {
  return bytes.toString('latin1');
}

/** The bytes of a latin1 key string. */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'latin1');
}

/** Unsigned byte-wise comparison. */
export function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

const TWO_32 = 0x1_0000_0000;

/** Writes a non-negative safe integer as 8 bytes big-endian. */
export function writeUint64BE(buf: Buffer, value: number, offset: number): void {
  if (!(value >= 0) || !Number.isSafeInteger(value)) {
    throw new RangeError(`time must be a non-negative safe integer, got ${value}`);
  }
  buf.writeUInt32BE(Math.floor(value / TWO_32), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

export function readUint64BE(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

/** The smallest latin1 string greater than every string starting with `prefix`, or null if none exists. */
export function prefixEnd(prefix: string): string | null {
  let i = prefix.length - 1;
  while (i >= 0 && prefix.charCodeAt(i) === 0xff) i--;
  if (i < 0) return null;
  return prefix.slice(0, i) + String.fromCharCode(prefix.charCodeAt(i) + 1);
}

/** Writes a safe integer (possibly negative) as 8 bytes big-endian two's complement. */
export function writeInt64BE(buf: Buffer, value: number, offset: number): void {
  buf.writeInt32BE(Math.floor(value / TWO_32), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

export function readInt64BE(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}
