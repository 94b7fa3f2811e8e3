/**
 * Strict conversions from JavaScript values to Delta's physical values, shared by the column
 * builders and partition values. Each returns a `Rejection` instead of guessing: no rounding,
 * no truncation, no string-to-number coercion.
 */
export class Rejection {
  constructor(readonly reason: string) {}
}

export const MICROS_PER_DAY = 86_400_000_000n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Date) return 'a Date';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'a Uint8Array';
  const t = typeof v;
  if (t === 'string') return `a string ${JSON.stringify((v as string).length > 40 ? `${(v as string).slice(0, 40)}…` : v)}`;
  if (t === 'number' || t === 'bigint' || t === 'boolean') return `${t} ${String(v)}`;
  return t === 'object' ? 'an object' : t;
}

export function toLong(v: unknown): bigint | number | Rejection {
  if (typeof v === 'number') {
    return Number.isSafeInteger(v) ? v : new Rejection(`expected an integer (safe) or bigint, got ${describe(v)}`);
  }
  if (typeof v === 'bigint') {
    return v >= INT64_MIN && v <= INT64_MAX ? v : new Rejection(`bigint ${v} is outside the long range`);
  }
  return new Rejection(`expected a number or bigint, got ${describe(v)}`);
}

export function toIntInRange(v: unknown, min: number, max: number, name: string): number | Rejection {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  if (typeof v === 'bigint' && v >= BigInt(min) && v <= BigInt(max)) return Number(v);
  return new Rejection(`expected an ${name} in [${min}, ${max}], got ${describe(v)}`);
}

/** Date.UTC without its 0–99 → 1900s year mapping. */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const dt = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  dt.setUTCFullYear(y, mo - 1, d);
  return dt.getTime();
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** The number of the `n` ASCII digits of `v` at `at`, or -1 if one is not a digit. */
function digitsAt(v: string, at: number, n: number): number {
  let x = 0;
  for (let i = at; i < at + n; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    x = x * 10 + c;
  }
  return x;
}

/** Days of a valid `YYYY-MM-DD` at the start of `v` (month and day checked), else NaN. No allocation. */
function civilDays(v: string): number {
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return NaN;
  const y = digitsAt(v, 0, 4),
    m = digitsAt(v, 5, 2),
    d = digitsAt(v, 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
  return daysFromCivil(y, m, d);
}

let lastDateKey = -1;
let lastDateDays = 0;

/** Epoch ms of the canonical `YYYY-MM-DDTHH:MM:SS.sssZ` (what Date#toISOString prints, fields in range), else NaN. No allocation. */
export function canonicalIsoMs(v: string): number {
  if (
    v.length !== 24 ||
    v.charCodeAt(4) !== 45 ||
    v.charCodeAt(7) !== 45 ||
    v.charCodeAt(10) !== 84 ||
    v.charCodeAt(13) !== 58 ||
    v.charCodeAt(16) !== 58 ||
    v.charCodeAt(19) !== 46 ||
    v.charCodeAt(23) !== 90
  )
    return NaN;
  // Each digit as 0–9; anything else (negative after the subtraction, or above 9) is caught by `>>> 0 > 9`.
  const y0 = v.charCodeAt(0) - 48,
    y1 = v.charCodeAt(1) - 48,
    y2 = v.charCodeAt(2) - 48,
    y3 = v.charCodeAt(3) - 48,
    mo0 = v.charCodeAt(5) - 48,
    mo1 = v.charCodeAt(6) - 48,
    d0 = v.charCodeAt(8) - 48,
    d1 = v.charCodeAt(9) - 48,
    h0 = v.charCodeAt(11) - 48,
    h1 = v.charCodeAt(12) - 48,
    mi0 = v.charCodeAt(14) - 48,
    mi1 = v.charCodeAt(15) - 48,
    s0 = v.charCodeAt(17) - 48,
    s1 = v.charCodeAt(18) - 48,
    f0 = v.charCodeAt(20) - 48,
    f1 = v.charCodeAt(21) - 48,
    f2 = v.charCodeAt(22) - 48;
  if (
    y0 >>> 0 > 9 ||
    y1 >>> 0 > 9 ||
    y2 >>> 0 > 9 ||
    y3 >>> 0 > 9 ||
    mo0 >>> 0 > 9 ||
    mo1 >>> 0 > 9 ||
    d0 >>> 0 > 9 ||
    d1 >>> 0 > 9 ||
    h0 >>> 0 > 9 ||
    h1 >>> 0 > 9 ||
    mi0 >>> 0 > 9 ||
    mi1 >>> 0 > 9 ||
    s0 >>> 0 > 9 ||
    s1 >>> 0 > 9 ||
    f0 >>> 0 > 9 ||
    f1 >>> 0 > 9 ||
    f2 >>> 0 > 9
  )
    return NaN;
  const h = h0 * 10 + h1,
    mi = mi0 * 10 + mi1,
    sec = s0 * 10 + s1;
  if (h > 23 || mi > 59 || sec > 59) return NaN;
  const y = ((y0 * 10 + y1) * 10 + y2) * 10 + y3,
    m = mo0 * 10 + mo1,
    d = d0 * 10 + d1;
  // Rows of a batch share dates: the last date's day number is remembered.
  const key = (y * 100 + m) * 100 + d;
  let days: number;
  if (key === lastDateKey) days = lastDateDays;
  else {
    if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
    days = daysFromCivil(y, m, d);
    lastDateKey = key;
    lastDateDays = days;
  }
  return days * 86_400_000 + ((h * 60 + mi) * 60 + sec) * 1000 + (f0 * 10 + f1) * 10 + f2;
}

/** Days since 1970-01-01 from `YYYY-MM-DD` or a Date at exactly midnight UTC. */
export function toDateDays(v: unknown): number | Rejection {
  if (typeof v === 'string') {
    if (v.length === 10) {
      const days = civilDays(v);
      if (days === days) return days;
    }
    const m = DATE_RE.exec(v);
    if (m) {
      const y = Number(m[1]),
        mo = Number(m[2]),
        d = Number(m[3]);
      const ms = utcMs(y, mo, d, 0, 0, 0);
      const back = new Date(ms);
      if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) return ms / 86_400_000;
    }
    return new Rejection(`expected a date "YYYY-MM-DD", got ${describe(v)}`);
  }
  if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms)) return new Rejection('invalid Date');
    if (ms % 86_400_000 !== 0) return new Rejection(`a Date for a date column must be midnight UTC, got ${v.toISOString()}`);
    return ms / 86_400_000;
  }
  return new Rejection(`expected a date string or Date, got ${describe(v)}`);
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

const MAX_SAFE_MS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/**
 * Microseconds since the epoch (UTC) from a Date, a bigint of micros, or an ISO-8601 string with
 * a zone. Returns a number when it is a safe integer (the common case, no BigInt cost), else a bigint.
 */
export function toTimestampMicros(v: unknown): bigint | number | Rejection {
  if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms)) return new Rejection('invalid Date');
    return Math.abs(ms) <= MAX_SAFE_MS ? ms * 1000 : BigInt(ms) * 1000n;
  }
  if (typeof v === 'bigint') return v >= INT64_MIN && v <= INT64_MAX ? v : new Rejection('timestamp micros out of range');
  if (typeof v === 'string') {
    // Fast path for the canonical `YYYY-MM-DDTHH:MM:SS.sssZ` (what Date#toISOString prints).
    const canonical = canonicalIsoMs(v);
    if (canonical === canonical) return canonical * 1000;
    const m = TS_RE.exec(v);
    if (!m) return new Rejection(`expected an ISO-8601 timestamp with a zone (Z or ±hh:mm), got ${describe(v)}`);
    const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
    const base = utcMs(y!, mo!, d!, h!, mi!, s!);
    const back = new Date(base);
    if (back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d! || h! > 23 || mi! > 59 || s! > 59) {
      return new Rejection(`invalid timestamp ${JSON.stringify(v)}`);
    }
    const frac = (m[7] ?? '').padEnd(9, '0');
    if (!/^0{3}$/.test(frac.slice(6))) return new Rejection(`timestamp ${JSON.stringify(v)} has sub-microsecond precision`);
    let offMin = 0;
    const z = m[8]!;
    if (z !== 'Z') {
      const sign = z[0] === '-' ? -1 : 1;
      const digits = z.slice(1).replace(':', '');
      offMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    }
    const ms = base - offMin * 60_000;
    const sub = Number(frac.slice(0, 6));
    return Math.abs(ms) < MAX_SAFE_MS ? ms * 1000 + sub : BigInt(ms) * 1000n + BigInt(sub);
  }
  return new Rejection(`expected a Date, ISO-8601 string or bigint micros, got ${describe(v)}`);
}

const DEC_RE = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/**
 * `toDecimalUnscaled` for the common case, as a number: a plain decimal string (`-?digits[.digits]`)
 * with at most `scale` fractional digits and at most 15 significant digits in all (exact in a
 * double). Undefined when it is not that case (the caller falls back to `toDecimalUnscaled`).
 */
export function decimalUnscaledNumber(v: unknown, precision: number, scale: number): number | undefined {
  if (typeof v !== 'string') return undefined;
  const n = v.length;
  let i = 0;
  let neg = false;
  if (n > 0 && v.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  let x = 0;
  let intDigits = 0;
  for (; i < n; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    x = x * 10 + c;
    intDigits++;
  }
  if (intDigits === 0) return undefined;
  let frac = 0;
  if (i < n) {
    if (v.charCodeAt(i) !== 46) return undefined;
    for (i++; i < n; i++) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      x = x * 10 + c;
      frac++;
    }
    if (frac === 0 || frac > scale) return undefined;
  }
  for (; frac < scale; frac++) x *= 10;
  // At most 15 digits: exact (anything longer goes the BigInt way).
  if (!(x <= 999_999_999_999_999)) return undefined;
  let digits = 0;
  for (let t = x; t >= 1; t = Math.floor(t / 10)) digits++;
  if (digits > precision) return undefined;
  return neg && x !== 0 ? -x : x;
}

/** The unscaled value of a decimal(p,s) from a string, a finite number (its shortest decimal form) or a bigint. */
export function toDecimalUnscaled(v: unknown, precision: number, scale: number): bigint | Rejection {
  let text: string;
  if (typeof v === 'string') text = v;
  else if (typeof v === 'bigint') text = v.toString();
  else if (typeof v === 'number' && Number.isFinite(v)) {
    text = String(v);
    if (/e/i.test(text)) return new Rejection(`number ${text} needs exponent notation; pass decimals as strings`);
  } else return new Rejection(`expected a decimal string, number or bigint, got ${describe(v)}`);
  const m = DEC_RE.exec(text);
  if (!m) return new Rejection(`expected a decimal like "123.45", got ${describe(v)}`);
  const intPart = m[2]!.replace(/^0+(?=\d)/, '');
  let frac = m[3] ?? '';
  const trimmed = frac.replace(/0+$/, '');
  if (trimmed.length > scale) return new Rejection(`${text} has more than ${scale} fractional digits (decimal(${precision},${scale}))`);
  frac = frac.slice(0, scale).padEnd(scale, '0');
  const digits = (intPart === '0' ? '' : intPart) + frac;
  const significant = digits.replace(/^0+/, '');
  if (significant.length > precision) return new Rejection(`${text} does not fit decimal(${precision},${scale})`);
  const unscaled = BigInt(digits === '' ? '0' : digits);
  return m[1] === '-' ? -unscaled : unscaled;
}

/** Prints an unscaled decimal with its scale: (12345n, 2) → "123.45". */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let s = (neg ? -unscaled : unscaled).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, '0');
    s = `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  }
  return neg ? `-${s}` : s;
}

let lastFormattedDays = NaN;
let lastFormattedDate = '';

/** `YYYY-MM-DD` of days since the epoch (the last one is remembered: rows of a batch share dates). */
export function formatDate(days: number): string {
  if (days === lastFormattedDays) return lastFormattedDate;
  const out = new Date(days * 86_400_000).toISOString().slice(0, 10);
  lastFormattedDays = days;
  lastFormattedDate = out;
  return out;
}

/** ISO-8601 UTC with milliseconds, or microseconds when the value has them. */
export function formatTimestampIso(value: bigint | number): string {
  const micros = BigInt(value);
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const sub = Number(micros - ms * 1000n);
  const iso = new Date(Number(ms)).toISOString();
  return sub === 0 ? iso : `${iso.slice(0, -1)}${String(sub).padStart(3, '0')}Z`;
}

/** Delta partition-value form of a timestamp: `YYYY-MM-DD HH:MM:SS.ffffff`. */
export function formatTimestampPartition(micros: bigint | number): string {
  const iso = formatTimestampIso(micros);
  const [date, time] = iso.slice(0, -1).split('T') as [string, string];
  const [hms, frac = ''] = time.split('.');
  return `${date} ${hms}.${frac.padEnd(6, '0')}`;
}

/** Compares strings in UTF-8 byte order (= code point order), which is how Delta orders stats. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
