/**
 * Durations as users write them: a bare number (milliseconds unless the caller says the bare unit
 * is seconds) or one or more `<number><unit>` parts — "30s", "1 minute", "10 minutes", "1h30m",
 * "1.5 hours", "2 days". Used by the CLI flags and the DSL's window sizes, so the same spelling
 * works everywhere. Invalid input throws a `ConfigError` that names the flag and the accepted forms.
 */
import { ConfigError } from '../errors.js';

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w';

const UNIT_MS: Readonly<Record<DurationUnit, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const UNIT_ALIASES: Readonly<Record<string, DurationUnit>> = {
  ms: 'ms',
  msec: 'ms',
  msecs: 'ms',
  millis: 'ms',
  millisecond: 'ms',
  milliseconds: 'ms',
  s: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  m: 'm',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  d: 'd',
  day: 'd',
  days: 'd',
  w: 'w',
  week: 'w',
  weeks: 'w',
};

/** Options of `parseDuration`: the flag named in errors, the unit of a bare number, and whether zero and fractions are allowed. */
export interface ParseDurationOptions {
  /** Name shown in errors, e.g. `--window` or `TimeWindows.ofSize`. */
  readonly flag?: string;
  /** Unit of a bare number. Default `'ms'`; the producer's seed-compatible flags use `'s'`. */
  readonly bareUnit?: DurationUnit;
  /** Whether 0 is accepted. Default true. */
  readonly allowZero?: boolean;
  /** Whether a result with a fraction of a millisecond is accepted (else it is an error). Default false. */
  readonly fractional?: boolean;
}

const PART = /(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)\s*,?\s*/y;
const BARE = /^(\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Parses a duration into milliseconds. Accepts a non-negative finite number (taken as milliseconds)
 * or a string: a bare number in `bareUnit`, or `<number><unit>` parts in any order of size with
 * optional spaces or commas between them. Units: ms, s, m, h, d, w and their English words
 * (singular or plural). Case and surrounding whitespace are ignored.
 */
export function parseDuration(input: string | number, options: ParseDurationOptions = {}): number {
  const ms = typeof input === 'number' ? checkNumber(input, options) : parseString(input, options);
  if (!options.fractional && !Number.isInteger(ms)) {
    throw durationError(input, options, 'it is not a whole number of milliseconds');
  }
  if (ms === 0 && options.allowZero === false) throw durationError(input, options, 'it must be greater than zero');
  if (ms > Number.MAX_SAFE_INTEGER) throw durationError(input, options, 'it is too large');
  return ms;
}

/** Formats milliseconds compactly and exactly, e.g. `600000` → `"10m"`, `5400000` → `"1h30m"`, `1500` → `"1s500ms"`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  if (ms === 0) return '0ms';
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit];
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  if (rest > 0) out += `${Number.isInteger(rest) ? rest : rest.toFixed(3).replace(/0+$/, '')}ms`;
  return out;
}

function checkNumber(n: number, options: ParseDurationOptions): number {
  if (!Number.isFinite(n) || n < 0) throw durationError(n, options, 'it must be a non-negative finite number');
  return n;
}

function parseString(raw: string, options: ParseDurationOptions): number {
  const text = raw.trim().toLowerCase();
  if (text === '') throw durationError(raw, options, 'it is empty');
  if (BARE.test(text)) return Number(text) * UNIT_MS[options.bareUnit ?? 'ms'];
  let total = 0;
  let pos = 0;
  PART.lastIndex = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) throw durationError(raw, options, `cannot read "${text.slice(pos)}"`);
    const unit = UNIT_ALIASES[m[2]!];
    if (unit === undefined) throw durationError(raw, options, `unknown unit "${m[2]}"`);
    total += Number(m[1]) * UNIT_MS[unit];
    pos = PART.lastIndex;
  }
  return total;
}

function durationError(input: unknown, options: ParseDurationOptions, why: string): ConfigError {
  const what = options.flag ? `Invalid duration for ${options.flag}` : 'Invalid duration';
  const bare = options.bareUnit && options.bareUnit !== 'ms' ? `a number of ${unitWord(options.bareUnit)} (e.g. 1.5)` : 'milliseconds (e.g. 60000)';
  return new ConfigError(
    `${what}: ${JSON.stringify(input)} (${why}). Use ${bare} or a number with a unit: ` +
      `"500ms", "30s", "1 minute", "10 minutes", "2h", "1h30m", "1 day" (units: ms, s, m, h, d, w).`,
  );
}

function unitWord(unit: DurationUnit): string {
  return { ms: 'milliseconds', s: 'seconds', m: 'minutes', h: 'hours', d: 'days', w: 'weeks' }[unit];
}
