/**
 * UTF-8 between strings and ranges of Buffers, straight through Node's own encoder and decoder
 * (the methods behind `Buffer#toString` and `Buffer#write`, without their argument handling,
 * which costs as much as decoding a short key). Callers pass ranges within the buffer; when the
 * methods are missing, the public API does the same.
 */
interface Utf8Buffer {
  utf8Slice(start: number, end: number): string;
  utf8Write(text: string, offset: number, length: number): number;
}

const proto = Buffer.prototype as unknown as Partial<Utf8Buffer>;
const DIRECT = typeof proto.utf8Slice === 'function' && typeof proto.utf8Write === 'function';

/** The text of `buf[start, end)` (malformed sequences become U+FFFD, as `toString` does). */
export function utf8Text(buf: Buffer, start: number, end: number): string {
  if (end - start <= 8) {
    const ascii = shortAscii(buf, start, end);
    if (ascii !== null) return ascii;
  }
  return DIRECT ? (buf as unknown as Utf8Buffer).utf8Slice(start, end) : buf.toString('utf8', start, end);
}

/**
 * Up to 8 ASCII bytes as a string without a call into Node's decoder (which costs more than the
 * decoding of a short key); null when a byte is not ASCII.
 */
function shortAscii(b: Buffer, s: number, e: number): string | null {
  let bits = 0;
  for (let i = s; i < e; i++) bits |= b[i]!;
  if (bits >= 0x80) return null;
  const c = String.fromCharCode;
  switch (e - s) {
    case 0:
      return '';
    case 1:
      return c(b[s]!);
    case 2:
      return c(b[s]!, b[s + 1]!);
    case 3:
      return c(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4:
      return c(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5:
      return c(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6:
      return c(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7:
      return c(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    default:
      return c(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
  }
}

/** Writes `text` at `offset`, at most `length` bytes (whole characters only); returns the bytes written. */
export function writeUtf8(buf: Buffer, text: string, offset: number, length: number): number {
  return DIRECT ? (buf as unknown as Utf8Buffer).utf8Write(text, offset, length) : buf.write(text, offset, length, 'utf8');
}
