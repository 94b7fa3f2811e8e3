import { describe, expect, it } from 'vitest';
import { DecodedValueMemo } from '../../../lib/runtime/decoded-value-memo.js';
import { Serdes } from '../../../lib/serde/serdes.js';

const json = Serdes.json<unknown>();

function remembered(text: string): { memo: DecodedValueMemo; value: Record<string, unknown>; bytes: Buffer } {
  const bytes = Buffer.from(text);
  const value = json.deserialize(bytes) as Record<string, unknown>;
  const memo = new DecodedValueMemo();
  memo.remember(value, bytes, json);
  return { memo, value, bytes };
}

describe('DecodedValueMemo', () => {
  it('gives the input bytes back for the same, unchanged flat object and primitives', () => {
    const { memo, value, bytes } = remembered('{ "a": 1.50, "b": "x", "c": null, "d": true }');
    expect(memo.decodedBy).toBe(json);
    expect(memo.bytesIfUnchanged(value)).toBe(bytes);
    expect(memo.bytesIfUnchanged({ ...value })).toBeNull(); // equal but another object
    const s = Buffer.from('"text"');
    memo.remember('text', s, json);
    expect(memo.bytesIfUnchanged('text')).toBe(s);
    expect(memo.bytesIfUnchanged('other')).toBeNull();
  });

  it.each([
    ['a changed value', (v: Record<string, unknown>) => (v.a = 2)],
    ['a value set to -0 where 0 was', (v: Record<string, unknown>) => (v.z = -0)],
    ['an added key', (v: Record<string, unknown>) => (v.e = 1)],
    ['a deleted key', (v: Record<string, unknown>) => delete v.b],
    [
      'a key moved to the end (delete, add back)',
      (v: Record<string, unknown>) => {
        delete v.a;
        v.a = 1.5;
      },
    ],
    ['a non-enumerable key now', (v: Record<string, unknown>) => Object.defineProperty(v, 'b', { enumerable: false })],
    ['a toJSON added', (v: Record<string, unknown>) => Object.defineProperty(v, 'toJSON', { value: () => 1, enumerable: false })],
    ['another prototype', (v: Record<string, unknown>) => Object.setPrototypeOf(v, { inherited: 1 })],
  ])('detects %s', (_what, change) => {
    const { memo, value } = remembered('{"a":1.5,"b":"x","z":0}');
    change(value);
    expect(memo.bytesIfUnchanged(value)).toBeNull();
  });

  it('does not remember nested objects, arrays or class instances', () => {
    const memo = new DecodedValueMemo();
    for (const v of [{ a: { b: 1 } }, [1, 2], new Date(0), Buffer.from('x')]) {
      memo.remember(v, Buffer.from('{}'), json);
      expect(memo.decodedBy).toBeNull();
      expect(memo.bytesIfUnchanged(v)).toBeNull();
    }
  });
});
