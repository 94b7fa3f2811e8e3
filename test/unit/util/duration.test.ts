import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { formatDuration, parseDuration } from '../../../lib/util/duration.js';

describe('parseDuration', () => {
  it.each([
    ['60000', 60_000],
    ['0', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['30 s', 30_000],
    ['1 minute', 60_000],
    ['10 minutes', 600_000],
    ['10 MINUTES', 600_000],
    ['  2h ', 7_200_000],
    ['1h30m', 5_400_000],
    ['1 hour, 30 minutes', 5_400_000],
    ['1.5 hours', 5_400_000],
    ['1 day', 86_400_000],
    ['2 weeks', 1_209_600_000],
    ['1m30s250ms', 90_250],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('takes numbers as milliseconds', () => {
    expect(parseDuration(1500)).toBe(1500);
  });

  it('reads bare numbers in the given unit', () => {
    expect(parseDuration('1.0', { bareUnit: 's' })).toBe(1000);
    expect(parseDuration('0.25', { bareUnit: 's' })).toBe(250);
    expect(parseDuration('0.0001', { bareUnit: 's', fractional: true })).toBeCloseTo(0.1);
  });

  it.each(['', 'abc', 'ten minutes', '-5s', '5 parsecs', '10 minutes later', '1..5s', 'NaN', '5s-'])(
    'rejects %j with a ConfigError naming the flag and the accepted forms',
    (text) => {
      let error: unknown;
      try {
        parseDuration(text, { flag: '--window' });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain('--window');
      expect(message).toContain('"10 minutes"');
      expect(message).toContain('60000');
    },
  );

  it('rejects fractions of a millisecond, zero when disallowed, negatives and non-finite numbers', () => {
    expect(() => parseDuration('1.5ms')).toThrow(/whole number of milliseconds/);
    expect(() => parseDuration('0s', { allowZero: false })).toThrow(/greater than zero/);
    expect(() => parseDuration(-1)).toThrow(ConfigError);
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(ConfigError);
    expect(() => parseDuration('99999999999 weeks')).toThrow(/too large/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [600_000, '10m'],
    [5_400_000, '1h30m'],
    [1500, '1s500ms'],
    [86_400_000, '1d'],
  ])('%d → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
