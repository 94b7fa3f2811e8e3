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
  it('int64 without BigInt: same bytes as writeBigInt64BE, same values as readBigInt64BE, errors at the safe bounds', () => {
    const int64 = Serdes.int64();
    const edges = [0, 1, -1, 2 ** 31, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, -(2 ** 32), -(2 ** 32) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    const check = (n: number): boolean => {
      const ref = Buffer.alloc(8);
      ref.writeBigInt64BE(BigInt(n));
      return int64.serialize(n).equals(ref) && int64.deserialize(ref) === n;
    };
    for (const n of edges) expect(check(n)).toBe(true);
    fc.assert(fc.property(fc.maxSafeInteger(), check));
    // Any 8 bytes: the exact value when it is a safe integer, an error otherwise.
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (big) => {
        const b = Buffer.alloc(8);
        b.writeBigInt64BE(big);
        const safe = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER);
        if (safe) return int64.deserialize(b) === Number(big);
        expect(() => int64.deserialize(b)).toThrow(/does not fit/);
        return true;
      }),
    );
    for (const big of [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)]) {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(big);
      expect(() => int64.deserialize(b)).toThrow(`int64 serde: ${big} does not fit`);
    }
    expect(() => int64.serialize(2 ** 53)).toThrow(/not a safe integer/);
    expect(() => int64.serialize(1.5)).toThrow(/not a safe integer/);
  });

  it('windowed serdes write and read window times like the BigInt layout, including unsafe times', () => {
    const tw = Serdes.timeWindowed(Serdes.string(), 1000);
    const sw = Serdes.sessionWindowed(Serdes.string());
    const ref = (times: number[]): Buffer => {
      const b = Buffer.alloc(1 + 8 * times.length);
      b[0] = 0x6b;
      times.forEach((t, i) => b.writeBigInt64BE(BigInt(t), 1 + 8 * i));
      return b;
    };
    const time = fc.oneof(
      fc.maxSafeInteger(),
      fc.integer({ min: -(2 ** 52), max: 2 ** 52 }).map((n) => n * 1024),
    );
    fc.assert(
      fc.property(time, time, (start, end) => {
        const t = tw.serialize({ key: 'k', window: { start, end: start + 1000 } });
        expect(t.equals(ref([start]))).toBe(true);
        expect(tw.deserialize(t).window.start).toBe(Number(ref([start]).readBigInt64BE(1)));
        const s = sw.serialize({ key: 'k', window: { start, end } });
        expect(s.equals(ref([end, start]))).toBe(true);
        expect(sw.deserialize(s).window).toEqual({ start: Number(s.readBigInt64BE(9)), end: Number(s.readBigInt64BE(1)) });
      }),
    );
    // Times beyond ±2^53 read back rounded, as Number(BigInt) does.
    const big = Buffer.alloc(9);
    big.writeBigInt64BE(2n ** 60n + 1n, 1);
    expect(tw.deserialize(big).window.start).toBe(Number(2n ** 60n + 1n));
    expect(() => tw.serialize({ key: 'k', window: { start: 1.5, end: 2 } })).toThrow(RangeError);
  });
});
