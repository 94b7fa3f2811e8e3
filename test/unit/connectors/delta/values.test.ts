import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Rejection,
  canonicalIsoMs,
  compareUtf8,
  decimalUnscaledNumber,
  formatDecimal,
  formatTimestampIso,
  formatTimestampPartition,
  toDateDays,
  toDecimalUnscaled,
  toLong,
  toTimestampMicros,
} from '../../../../lib/connectors/delta/values.js';

describe('strict value conversions', () => {
  it('longs: safe integers and in-range bigints only', () => {
    expect(toLong(42)).toBe(42);
    expect(toLong(2n ** 62n)).toBe(2n ** 62n);
    expect(toLong(1.5)).toBeInstanceOf(Rejection);
    expect(toLong(2 ** 60)).toBeInstanceOf(Rejection);
    expect(toLong(2n ** 63n)).toBeInstanceOf(Rejection);
    expect(toLong('1')).toBeInstanceOf(Rejection);
  });

  it('dates: YYYY-MM-DD or a midnight-UTC Date, nothing else', () => {
    expect(toDateDays('1970-01-02')).toBe(1);
    expect(toDateDays('0099-12-31')).toBe(-683004); // python: (date(99,12,31) - date(1970,1,1)).days
    expect(toDateDays('2023-02-29')).toBeInstanceOf(Rejection);
    expect(toDateDays(new Date('2024-01-01T00:00:00Z'))).toBe(19723);
    expect(toDateDays(new Date('2024-01-01T00:00:01Z'))).toBeInstanceOf(Rejection);
  });

  it('timestamps keep microseconds and honour zone offsets', () => {
    const micros = (v: unknown) => BigInt(toTimestampMicros(v) as number | bigint);
    expect(micros('2024-01-01T00:00:00.123456Z')).toBe(1704067200123456n);
    expect(micros('2024-01-01T01:00:00.000001+01:00')).toBe(1704067200000001n);
    expect(micros('2024-01-01T00:00:00.123Z')).toBe(1704067200123000n);
    expect(micros(new Date(1))).toBe(1000n);
    expect(micros(2n ** 62n)).toBe(2n ** 62n);
    expect(toTimestampMicros('2023-02-30T00:00:00.000Z')).toBeInstanceOf(Rejection);
    expect(toTimestampMicros('2023-02-28T24:00:00.000Z')).toBeInstanceOf(Rejection);
    expect(toTimestampMicros('2024-01-01T00:00:00')).toBeInstanceOf(Rejection);
    expect(toTimestampMicros('2024-01-01T00:00:00.0000001Z')).toBeInstanceOf(Rejection);
    expect(formatTimestampIso(-5n)).toBe('1969-12-31T23:59:59.999995Z');
    expect(formatTimestampIso(1704067200123000n)).toBe('2024-01-01T00:00:00.123Z');
    expect(formatTimestampPartition(1704067200123000n)).toBe('2024-01-01 00:00:00.123000');
  });

  it('decimals: exact or rejected', () => {
    expect(toDecimalUnscaled('123.45', 10, 2)).toBe(12345n);
    expect(toDecimalUnscaled('-0.5', 10, 2)).toBe(-50n);
    expect(toDecimalUnscaled(1.1, 10, 2)).toBe(110n);
    expect(toDecimalUnscaled('1.234', 10, 2)).toBeInstanceOf(Rejection);
    expect(toDecimalUnscaled('1.230', 10, 2)).toBe(123n);
    expect(toDecimalUnscaled('123456789.1', 10, 2)).toBeInstanceOf(Rejection);
    expect(toDecimalUnscaled(1e21, 30, 2)).toBeInstanceOf(Rejection);
    expect(formatDecimal(-5n, 3)).toBe('-0.005');
    expect(formatDecimal(12345n, 0)).toBe('12345');
  });

  it('compares strings in UTF-8 byte order, not UTF-16 order', () => {
    const a = '\uFF61'; // U+FF61, 3 UTF-8 bytes, BMP above the surrogates
    const b = '😀'; // U+1F600, surrogate pair in UTF-16, 4 UTF-8 bytes
    expect(a < b).toBe(false); // JS order
    expect(compareUtf8(a, b)).toBeLessThan(0);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(-1);
  });
});

describe('fast paths agree with the general conversions', () => {
  it('canonical ISO timestamps and dates: the field parser = Date.parse + round trip, over years 0000–9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        const iso = new Date(ms).toISOString();
        expect(canonicalIsoMs(iso)).toBe(ms);
        expect(toTimestampMicros(iso)).toBe(ms * 1000);
        expect(toDateDays(iso.slice(0, 10))).toBe(Math.floor(ms / 86_400_000));
      }),
      { numRuns: 2000 },
    );
    for (const bad of [
      '2024-02-30T00:00:00.000Z',
      '2023-02-29T00:00:00.000Z',
      '2024-01-01T24:00:00.000Z',
      '2024-13-01T00:00:00.000Z',
      '2024-01-01T00:60:00.000Z',
      '2024-01-01T00:00:60.000Z',
      '2024-01-0xT00:00:00.000Z',
    ]) {
      expect(Number.isNaN(canonicalIsoMs(bad))).toBe(true);
      expect(toTimestampMicros(bad)).toBeInstanceOf(Rejection);
    }
    expect(canonicalIsoMs('2024-02-29T23:59:59.999Z')).toBe(Date.parse('2024-02-29T23:59:59.999Z'));
    expect(toDateDays('2023-02-29')).toBeInstanceOf(Rejection);
  });

  it('canonical ISO timestamps: the straight-line parser = Date.parse with a round trip, over mutated strings (fuzz)', () => {
    // The reference: what Date.parse reads, kept only when printing it back gives the same text.
    const reference = (v: string): number => {
      const ms = Date.parse(v);
      return ms === ms && new Date(ms).toISOString() === v ? ms : NaN;
    };
    const char = fc.constantFrom(...'0123456789-:.TZ /x+', '\u0000', '\u0660', '\uff11', 'é');
    const mutated = fc
      .tuple(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), fc.array(fc.tuple(fc.nat({ max: 25 }), char), { maxLength: 3 }), fc.boolean())
      .map(([ms, edits, drop]) => {
        const s = [...new Date(ms).toISOString()];
        for (const [at, c] of edits) s[at % 24] = c;
        if (drop) s.splice(edits.length % 24, 1);
        return s.join('');
      });
    // Consecutive calls on nearby dates exercise the remembered last date (valid and invalid ones).
    fc.assert(
      fc.property(fc.array(mutated, { minLength: 1, maxLength: 8 }), (vs) => {
        for (const v of vs) expect(Object.is(canonicalIsoMs(v), reference(v)), v).toBe(true);
      }),
      { numRuns: 3000 },
    );
    for (const v of ['2024-02-29T00:00:00.000Z', '2024-02-30T00:00:00.000Z', '2024-02-29T00:00:00.000Z', '2023-02-29T00:00:00.000Z']) {
      expect(Object.is(canonicalIsoMs(v), reference(v)), v).toBe(true);
    }
  });

  it('decimal strings: the number path = the BigInt path whenever it answers', () => {
    const text = fc
      .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,20}$/), fc.option(fc.stringMatching(/^[0-9]{0,5}$/)))
      .map(([neg, i, f]) => `${neg ? '-' : ''}${i}${f === null ? '' : `.${f}`}`);
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 38 }), fc.integer({ min: 0, max: 6 }), (v, precision, scale0) => {
        const scale = Math.min(scale0, precision);
        const fast = decimalUnscaledNumber(v, precision, scale);
        const slow = toDecimalUnscaled(v, precision, scale);
        if (fast !== undefined) expect(BigInt(fast)).toBe(slow);
      }),
      { numRuns: 5000 },
    );
    expect(decimalUnscaledNumber('123.45', 18, 2)).toBe(12345);
    expect(decimalUnscaledNumber('-0.5', 18, 2)).toBe(-50);
    expect(decimalUnscaledNumber('1.234', 18, 2)).toBeUndefined();
    expect(decimalUnscaledNumber('1e5', 18, 2)).toBeUndefined();
  });
});
