import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { Serdes } from '../../../lib/serde/serdes.js';
import { TributaryError } from '../../../lib/errors.js';

describe('Serdes', () => {
  it('round-trips strings, bytes, int32, int64, double', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => Serdes.string().deserialize(Serdes.string().serialize(s)) === s));
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => Serdes.int32().deserialize(Serdes.int32().serialize(n)) === n));
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => Serdes.int64().deserialize(Serdes.int64().serialize(n)) === n));
    fc.assert(fc.property(fc.double(), (n) => Object.is(Serdes.double().deserialize(Serdes.double().serialize(n)), n)));
    const b = Buffer.from([1, 2, 3]);
    expect(Serdes.bytes().deserialize(Serdes.bytes().serialize(b))).toBe(b);
  });

  it('matches the Java serializers byte for byte', () => {
    expect(Serdes.int32().serialize(-2).toString('hex')).toBe('fffffffe');
    expect(Serdes.int64().serialize(1).toString('hex')).toBe('0000000000000001');
    expect(Serdes.int64().serialize(-1).toString('hex')).toBe('ffffffffffffffff');
    expect(Serdes.double().serialize(1.5).toString('hex')).toBe('3ff8000000000000');
  });

  it('rejects values it cannot represent with SERDE errors', () => {
    expect(() => Serdes.int64().serialize(2 ** 60)).toThrow(TributaryError);
    expect(() => Serdes.int64().deserialize(Buffer.from('7fffffffffffffff', 'hex'))).toThrow(/fit/);
    expect(() => Serdes.int32().deserialize(Buffer.alloc(3))).toThrow(/4 bytes/);
    expect(() => Serdes.json().deserialize(Buffer.from('{nope'), 't')).toThrow(expect.objectContaining({ code: 'SERDE' }));
  });

  it('validates with zod and reports the issues', () => {
    const serde = Serdes.zod(z.object({ id: z.string(), amount: z.number() }));
    expect(serde.deserialize(serde.serialize({ id: 'a', amount: 2 }))).toEqual({ id: 'a', amount: 2 });
    try {
      serde.deserialize(Buffer.from('{"id":1}'), 'tx');
      expect.unreachable();
    } catch (e) {
      const err = e as TributaryError;
      expect(err.code).toBe('SERDE');
      expect(err.context.topic).toBe('tx');
      expect(err.message).toMatch(/id: .*amount: /);
      expect((err.context['issues'] as unknown[]).length).toBe(2);
    }
  });

  it('lays out windowed keys like Kafka Streams', () => {
    const tw = Serdes.timeWindowed(Serdes.string(), 1000);
    const bytes = tw.serialize({ key: 'k', window: { start: 5000, end: 6000 } });
    expect(bytes.toString('hex')).toBe('6b' + '0000000000001388');
    expect(tw.deserialize(bytes)).toEqual({ key: 'k', window: { start: 5000, end: 6000 } });
    const sw = Serdes.sessionWindowed(Serdes.string());
    const sb = sw.serialize({ key: 'k', window: { start: 1, end: 2 } });
    expect(sb.toString('hex')).toBe('6b' + '0000000000000002' + '0000000000000001');
    expect(sw.deserialize(sb)).toEqual({ key: 'k', window: { start: 1, end: 2 } });
  });
});
