import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmur2 } from '../../../lib/kafka/partitioner.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { utf8Text, writeUtf8 } from '../../../lib/serde/utf8.js';

describe('UTF-8 over ranges', () => {
  it('utf8Text of a range equals toString of it, for any bytes (short ASCII, non-ASCII, malformed)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const buf = Buffer.from(bytes);
        const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const end = start + (b % (bytes.length - start + 1));
        expect(utf8Text(buf, start, end)).toBe(buf.toString('utf8', start, end));
      }),
      { numRuns: 2000 },
    );
  });

  it('writeUtf8 writes what Buffer.from would, at an offset', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(8), (text, offset) => {
        const buf = Buffer.alloc(offset + text.length * 3 + 1);
        const n = writeUtf8(buf, text, offset, buf.length - offset);
        expect(buf.subarray(offset, offset + n)).toEqual(Buffer.from(text, 'utf8'));
      }),
    );
  });

  it('json and string serdes: serializeText is the text of serialize, deserializeRange the value of the range', () => {
    const json = Serdes.json<unknown>();
    const str = Serdes.string();
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'grapheme' }), (value, text) => {
        expect(Buffer.from(json.serializeText!(value), 'utf8')).toEqual(json.serialize(value));
        expect(Buffer.from(str.serializeText!(text), 'utf8')).toEqual(str.serialize(text));
        const framed = Buffer.concat([Buffer.from('<<'), json.serialize(value), Buffer.from('>>')]);
        expect(json.deserializeRange!(framed, 2, framed.length - 2)).toEqual(json.deserialize(json.serialize(value)));
        const s = Buffer.concat([Buffer.from('#'), str.serialize(text)]);
        expect(str.deserializeRange!(s, 1, s.length)).toBe(text);
      }),
    );
    expect(() => json.serializeText!(undefined)).toThrow(/not JSON-serializable/);
    expect(() => json.deserializeRange!(Buffer.from('x{'), 1, 2)).toThrow(/invalid JSON/);
  });

  it('murmur2 of a range equals murmur2 of a copy of it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 30 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const end = start + (b % (bytes.length - start + 1));
        expect(murmur2(bytes, start, end)).toBe(murmur2(Uint8Array.from(bytes.subarray(start, end))));
      }),
    );
  });
});
