/**
 * Byte layouts of windowed store keys (the Kafka Streams layouts; big-endian so byte order is
 * time order within a key):
 * - window stores: `[key][8-byte window start][4-byte seq]` — seq is 0 unless the store retains
 *   duplicates, where every put gets the next seq;
 * - session stores: `[key][8-byte session end][8-byte session start]`.
 * These are also the changelog record keys.
 */
import { readUint64BE, writeUint64BE } from './bytes.js';

export const WINDOW_SUFFIX = 12;
export const SESSION_SUFFIX = 16;

export function windowKey(key: Buffer, start: number, seq: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + WINDOW_SUFFIX);
  key.copy(out, 0);
  writeUint64BE(out, start, key.length);
  out.writeUInt32BE(seq >>> 0, key.length + 8);
  return out;
}

export function windowKeyParts(composite: Buffer): { key: Buffer; start: number; seq: number } {
  const n = composite.length - WINDOW_SUFFIX;
  return { key: composite.subarray(0, n), start: readUint64BE(composite, n), seq: composite.readUInt32BE(n + 8) };
}

export function sessionKey(key: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + SESSION_SUFFIX);
  key.copy(out, 0);
  writeUint64BE(out, end, key.length);
  writeUint64BE(out, start, key.length + 8);
  return out;
}

export function sessionKeyParts(composite: Buffer): { key: Buffer; start: number; end: number } {
  const n = composite.length - SESSION_SUFFIX;
  return { key: composite.subarray(0, n), end: readUint64BE(composite, n), start: readUint64BE(composite, n + 8) };
}

/** Time field of a latin1 composite key string at `fromEnd` characters before its end. */
export function timeAt(k: string, fromEnd: number): number {
  const i = k.length - fromEnd;
  let hi = 0;
  let lo = 0;
  for (let j = 0; j < 4; j++) hi = hi * 256 + k.charCodeAt(i + j);
  for (let j = 4; j < 8; j++) lo = lo * 256 + k.charCodeAt(i + j);
  return hi * 0x1_0000_0000 + lo;
}

/** Latin1 form of an 8-byte big-endian time. */
export function timeString(time: number): string {
  const b = Buffer.allocUnsafe(8);
  writeUint64BE(b, time, 0);
  return b.toString('latin1');
}

export function seqString(seq: number): string {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(seq >>> 0, 0);
  return b.toString('latin1');
}

export const MAX_TIME = Number.MAX_SAFE_INTEGER;
