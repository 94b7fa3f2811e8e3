/**
 * JSON and zod serdes refuse bytes that are not UTF-8 (issue #19; found by the hostile fuzz): a
 * value with a stray 0x80 inside a string used to decode with U+FFFD and reach the table changed.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Serdes } from '../../../lib/serde/serdes.js';

const bad: number[][] = [[0x80], [0xff], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]];
const withBytes = (b: number[]): Buffer => Buffer.concat([Buffer.from('{"k":"a'), Buffer.from(b), Buffer.from('b"}')]);

describe('strict UTF-8 in the JSON serdes', () => {
  for (const b of bad) {
    it(`refuses ${b.map((x) => x.toString(16)).join(' ')} inside a string (json, json range, zod)`, () => {
      const json = Serdes.json<{ k: string }>();
      const zod = Serdes.zod(z.object({ k: z.string() }));
      expect(() => json.deserialize(withBytes(b), 't')).toThrow(/not valid UTF-8/);
      const framed = Buffer.concat([Buffer.from('xx'), withBytes(b), Buffer.from('yy')]);
      expect(() => json.deserializeRange!(framed, 2, framed.length - 2, 't')).toThrow(/not valid UTF-8/);
      expect(() => zod.deserialize(withBytes(b), 't')).toThrow(/not valid UTF-8/);
    });
  }

  it('accepts a correctly encoded U+FFFD (EF BF BD): only bytes that are not UTF-8 are refused', () => {
    const text = '{"k":"a\uFFFDb"}';
    expect(Serdes.json<{ k: string }>().deserialize(Buffer.from(text, 'utf8'), 't')).toEqual({ k: 'a\uFFFDb' });
    expect(Serdes.zod(z.object({ k: z.string() })).deserialize(Buffer.from(text, 'utf8'), 't')).toEqual({ k: 'a\uFFFDb' });
    const framed = Buffer.concat([Buffer.from([0x80]), Buffer.from(text, 'utf8')]);
    expect(Serdes.json<{ k: string }>().deserializeRange!(framed, 1, framed.length, 't')).toEqual({ k: 'a\uFFFDb' });
  });

  it('accepts every valid UTF-8 text, including 4-byte sequences, and a range next to invalid bytes', () => {
    const text = '{"k":"é日😀\\u0000"}';
    expect(Serdes.json<{ k: string }>().deserialize(Buffer.from(text), 't')).toEqual({ k: 'é日😀\u0000' });
    expect(Serdes.zod(z.object({ k: z.string() })).deserialize(Buffer.from(text), 't')).toEqual({ k: 'é日😀\u0000' });
    const framed = Buffer.concat([Buffer.from([0xff]), Buffer.from(text), Buffer.from([0x80])]);
    expect(Serdes.json<{ k: string }>().deserializeRange!(framed, 1, framed.length - 1, 't')).toEqual({ k: 'é日😀\u0000' });
  });
});
