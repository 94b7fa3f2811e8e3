import { describe, expect, it } from 'vitest';
import type { Record } from '../../../lib/topology/processor.js';
import { createRecord, hasNullValue, withKey, withKeyValue, withTimestamp, withValue } from '../../../lib/topology/record.js';

/** A record whose value is an accessor that counts reads (as the runtime's lazy source records). */
function lazy(value: unknown): { record: Record<string, unknown>; reads: () => number } {
  let reads = 0;
  const record = {
    key: 'k',
    get value(): unknown {
      reads++;
      return value;
    },
    timestamp: 5,
    headers: { h: Buffer.from('x') },
  };
  return { record, reads: () => reads };
}

describe('record derivations', () => {
  it('withKey and withTimestamp keep a lazy value unread, and chains of them stay lazy', () => {
    const { record, reads } = lazy({ a: 1 });
    const a = withKey(record, 'k2');
    const b = withTimestamp(a, 9);
    const c = withKey(b, 'k3');
    expect(reads()).toBe(0);
    expect(hasNullValue(a)).toBe(false);
    expect(hasNullValue(c)).toBe(false);
    expect(reads()).toBe(0);
    expect([c.key, c.timestamp, c.headers]).toEqual(['k3', 9, record.headers]);
    expect(c.value).toEqual({ a: 1 });
    expect(reads()).toBe(1);
    expect(Object.getOwnPropertyDescriptor(c, 'value')?.get).toBeTypeOf('function');
  });

  it('derived lazy records spread like object literals: own enumerable key, value, timestamp, headers', () => {
    const { record, reads } = lazy('v');
    const d = withTimestamp(withKey(record, 'x'), 7);
    expect(Object.keys(d)).toEqual(['key', 'value', 'timestamp', 'headers']);
    expect({ ...d }).toEqual({ key: 'x', value: 'v', timestamp: 7, headers: record.headers });
    expect(reads()).toBe(1);
    expect(JSON.parse(JSON.stringify(withKey(record, 'y')))).toMatchObject({ key: 'y', value: 'v', timestamp: 5 });
  });

  it('plain records derive plain records; null values are seen without decoding', () => {
    const r = createRecord('k', null, 1);
    expect(hasNullValue(withKey(r, 'z'))).toBe(true);
    expect(hasNullValue(withTimestamp(r, 2))).toBe(true);
    const p = withKey(createRecord('k', 3, 1), 'z');
    expect(Object.getOwnPropertyDescriptor(p, 'value')).toMatchObject({ value: 3 });
    expect(withValue(p, 4)).toEqual({ key: 'z', value: 4, timestamp: 1, headers: {} });
    expect(withKeyValue(p, 'q', 5)).toEqual({ key: 'q', value: 5, timestamp: 1, headers: {} });
  });
});
