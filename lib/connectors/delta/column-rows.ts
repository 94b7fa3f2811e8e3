/**
 * Arrow record batches → row objects in JSON form (the same values as `tableRows` in
 * arrow-rows.ts), column by column: each column is converted once with a loop for its type
 * (strings as one slice of the batch's bytes each, ASCII columns without UTF-8 decoding;
 * timestamps as numbers, not BigInt, while they fit; dates through a small cache), then rows are
 * built by a generated constructor so every row has one shape. Types without a fast path go
 * through `dataValue`. Used by the Delta source, where reading is the per-row cost.
 */
import * as A from 'apache-arrow';
import { dataValue } from './arrow-rows.js';
import { formatDate, formatTimestampIso } from './values.js';

type Column = ArrayLike<unknown>;

const MAX_SAFE_MICROS = BigInt(Number.MAX_SAFE_INTEGER);

function isAscii(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/** Strings of an ASCII column up to this length are made by `String.fromCharCode` (see `asciiString`). */
const SHORT_STRING = 64;
/** One array per length for `asciiString`'s character codes (a real array: `apply` takes it as is). */
const CODES: number[][] = Array.from({ length: SHORT_STRING + 1 }, (_, n) => new Array<number>(n).fill(0));

/** The ASCII bytes `from` … `to` − 1 as a string: short ones without a call into Buffer's native decoder. */
function asciiString(values: Uint8Array, buf: Buffer, from: number, to: number): string {
  const n = to - from;
  if (n > SHORT_STRING) return buf.toString('latin1', from, to);
  const codes = CODES[n]!;
  for (let i = 0; i < n; i++) codes[i] = values[from + i]!;
  return String.fromCharCode.apply(null, codes);
}

function utf8Column(data: A.Data, from: number, to: number): Column {
  const out = new Array<unknown>(to - from);
  const o = data.valueOffsets as Int32Array;
  const values = data.values as Uint8Array;
  const buf = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const ascii = isAscii(values, o[from]!, o[to]!);
  for (let i = from; i < to; i++) {
    if (!data.getValid(i)) {
      out[i - from] = null;
      continue;
    }
    out[i - from] = ascii ? asciiString(values, buf, o[i]!, o[i + 1]!) : buf.toString('utf8', o[i]!, o[i + 1]!);
  }
  return out;
}

const UNIT_TO_MICROS: Record<number, number> = {
  [A.TimeUnit.SECOND]: 1_000_000,
  [A.TimeUnit.MILLISECOND]: 1000,
  [A.TimeUnit.MICROSECOND]: 1,
};

const MIN_4_DIGIT_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_4_DIGIT_MS = 253_402_300_800_000; // 10000-01-01T00:00:00.000Z

/**
 * `formatTimestampIso` of `ms` * 1000 + `sub` (0 ≤ sub < 1000) for years 0000–9999, as one flat
 * string made from its character codes (a template literal would make a rope of ten pieces that
 * every reader of the string then has to flatten); the date's characters are cached per day.
 */
function isoMicros(ms: number, sub: number, days: Map<number, number[]>): string {
  const day = Math.floor(ms / 86_400_000);
  let p = days.get(day);
  if (p === undefined) {
    const date = new Date(day * 86_400_000).toISOString();
    days.set(day, (p = Array.from({ length: 10 }, (_, i) => date.charCodeAt(i))));
  }
  let r = ms - day * 86_400_000;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const sec = Math.floor(r / 1000);
  const f = r - sec * 1000;
  const h1 = Math.floor(h / 10),
    m1 = Math.floor(m / 10),
    s1 = Math.floor(sec / 10),
    f1 = Math.floor(f / 100),
    f2 = Math.floor(f / 10) % 10;
  const [a, b, c, d, e, g, i, j, k, l] = p as [number, number, number, number, number, number, number, number, number, number];
  const hh = 48 + h1,
    hl = 48 + h - h1 * 10,
    mh = 48 + m1,
    ml = 48 + m - m1 * 10,
    sh = 48 + s1,
    sl = 48 + sec - s1 * 10;
  if (sub === 0) return String.fromCharCode(a, b, c, d, e, g, i, j, k, l, 84, hh, hl, 58, mh, ml, 58, sh, sl, 46, 48 + f1, 48 + f2, 48 + (f % 10), 90);
  const u1 = Math.floor(sub / 100),
    u2 = Math.floor(sub / 10) % 10;
  // Explicit arguments: twice as fast as `apply` on an array of codes (measured).
  // prettier-ignore
  return String.fromCharCode(a, b, c, d, e, g, i, j, k, l, 84, hh, hl, 58, mh, ml, 58, sh, sl, 46, 48 + f1, 48 + f2, 48 + (f % 10), 48 + u1, 48 + u2, 48 + (sub % 10), 90);
}

function timestampColumn(data: A.Data, from: number, to: number): Column | undefined {
  const mul = UNIT_TO_MICROS[(data.type as A.Timestamp).unit];
  if (mul === undefined) return undefined;
  const raw = data.values as BigInt64Array;
  const out = new Array<unknown>(to - from);
  const days = new Map<number, number[]>();
  for (let i = from; i < to; i++) {
    if (!data.getValid(i)) {
      out[i - from] = null;
      continue;
    }
    const b = raw[i]!;
    if (b > MAX_SAFE_MICROS || b < -MAX_SAFE_MICROS) {
      out[i - from] = formatTimestampIso(b * BigInt(mul));
      continue;
    }
    const micros = Number(b) * mul;
    if (!Number.isSafeInteger(micros)) {
      out[i - from] = formatTimestampIso(b * BigInt(mul));
      continue;
    }
    const ms = Math.floor(micros / 1000);
    out[i - from] = ms >= MIN_4_DIGIT_MS && ms < MAX_4_DIGIT_MS ? isoMicros(ms, micros - ms * 1000, days) : formatTimestampIso(micros);
  }
  return out;
}

function dateColumn(data: A.Data, from: number, to: number): Column {
  const days = (data.type as A.Date_).unit === A.DateUnit.DAY;
  const raw = data.values as ArrayLike<number | bigint>;
  const cache = new Map<number, string>();
  const out = new Array<unknown>(to - from);
  for (let i = from; i < to; i++) {
    if (!data.getValid(i)) {
      out[i - from] = null;
      continue;
    }
    const d = days ? Number(raw[i]) : Number(raw[i]) / 86_400_000;
    let s = cache.get(d);
    if (s === undefined) cache.set(d, (s = formatDate(d)));
    out[i - from] = s;
  }
  return out;
}

function numberColumn(data: A.Data, from: number, to: number): Column | undefined {
  const raw = data.values as ArrayLike<number | bigint>;
  const out = new Array<unknown>(to - from);
  for (let i = from; i < to; i++) {
    if (!data.getValid(i)) {
      out[i - from] = null;
      continue;
    }
    const v = raw[i]!;
    if (typeof v === 'bigint') {
      if (v > MAX_SAFE_MICROS || v < -MAX_SAFE_MICROS) return undefined;
      out[i - from] = Number(v);
    } else out[i - from] = Number.isFinite(v) ? v : String(v);
  }
  return out;
}

function genericColumn(data: A.Data, from: number, to: number): Column {
  const out = new Array<unknown>(to - from);
  for (let i = from; i < to; i++) out[i - from] = dataValue(data, i);
  return out;
}

/** Rows `from` … `to` − 1 of one column of a batch, in JSON form. */
function convertColumn(data: A.Data, from: number, to: number): Column {
  switch ((data.type as A.DataType).typeId) {
    case A.Type.Utf8:
      return utf8Column(data, from, to);
    case A.Type.Timestamp:
      return timestampColumn(data, from, to) ?? genericColumn(data, from, to);
    case A.Type.Date:
      return dateColumn(data, from, to);
    case A.Type.Int:
    case A.Type.Float:
      return numberColumn(data, from, to) ?? genericColumn(data, from, to);
    default:
      return genericColumn(data, from, to);
  }
}

type RowMaker = (cols: readonly Column[], extra: readonly unknown[], i: number) => Record<string, unknown>;
const makers = new Map<string, RowMaker>();

/**
 * A function building a row with `fields` in order: field k comes from column `source[k]` (an
 * index into the batch columns) or, when `source[k]` is -1-j, the constant `extra[j]` (partition
 * values, columns the file lacks).
 */
function rowMaker(fields: readonly string[], source: readonly number[]): RowMaker {
  const key = JSON.stringify([fields, source]);
  let m = makers.get(key);
  if (!m) {
    const props = fields.map((f, k) => `${JSON.stringify(f)}: ${source[k]! >= 0 ? `c[${source[k]}][i]` : `x[${-1 - source[k]!}]`}`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fixed-shape object literal per schema; names are JSON-quoted
    m = new Function('c', 'x', 'i', `return { ${props.join(', ')} };`) as RowMaker;
    if (makers.size > 256) makers.clear();
    makers.set(key, m);
  }
  return m;
}

/**
 * Rows of `table` with the columns `fields` in that order: a field the file has comes from it, a
 * field in `constants` (partition values) is that value, any other field is null. Rows are made
 * on demand, a range at a time (`rows(from, to)`): a reader going through a large file in batches
 * holds the decoded columns (typed arrays) and only the current batch's row objects and strings,
 * which then die young instead of surviving garbage collections for the whole file.
 */
export class ColumnRows {
  readonly length: number;
  private readonly extra: unknown[] = [];
  private readonly used: boolean[];
  private readonly make: RowMaker;
  private readonly batches: { readonly start: number; readonly batch: A.RecordBatch }[] = [];

  constructor(table: A.Table, fields: readonly string[], constants: Readonly<Record<string, unknown>>) {
    const names = table.schema.fields.map((f) => f.name);
    const source = fields.map((f) => {
      if (f in constants) {
        this.extra.push(constants[f]);
        return -this.extra.length;
      }
      const k = names.indexOf(f);
      if (k >= 0) return k;
      this.extra.push(null);
      return -this.extra.length;
    });
    this.used = names.map((_, k) => source.includes(k));
    this.make = rowMaker(fields, source);
    let start = 0;
    for (const batch of table.batches) {
      this.batches.push({ start, batch });
      start += batch.numRows;
    }
    this.length = start;
  }

  /** Rows `from` … `to` − 1, appended to `out`. */
  rows(from: number, to: number, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
    for (const { start, batch } of this.batches) {
      const s = Math.max(from, start) - start;
      const e = Math.min(to, start + batch.numRows) - start;
      if (s >= e) continue;
      const cols: Column[] = this.used.map((u, k) => (u ? convertColumn(batch.data.children[k]!, s, e) : []));
      for (let i = 0; i < e - s; i++) out.push(this.make(cols, this.extra, i));
    }
    return out;
  }
}
