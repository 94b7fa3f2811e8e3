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
    out[i - from] = buf.toString(ascii ? 'latin1' : 'utf8', o[i]!, o[i + 1]!);
  }
  return out;
}

const UNIT_TO_MICROS: Record<number, number> = {
  [A.TimeUnit.SECOND]: 1_000_000,
  [A.TimeUnit.MILLISECOND]: 1000,
  [A.TimeUnit.MICROSECOND]: 1,
};

const two = (x: number): string => (x < 10 ? `0${x}` : `${x}`);
const three = (x: number): string => (x < 10 ? `00${x}` : x < 100 ? `0${x}` : `${x}`);

/** `new Date(ms).toISOString()` for years 1970–9999, with the date part cached per day. */
function isoMillis(ms: number, days: Map<number, string>): string {
  if (ms < 0 || ms >= 253402300800000) return new Date(ms).toISOString();
  const day = Math.floor(ms / 86_400_000);
  let prefix = days.get(day);
  if (prefix === undefined) days.set(day, (prefix = new Date(day * 86_400_000).toISOString().slice(0, 11)));
  let r = ms - day * 86_400_000;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const sec = Math.floor(r / 1000);
  return `${prefix}${two(h)}:${two(m)}:${two(sec)}.${three(r - sec * 1000)}Z`;
}

function timestampColumn(data: A.Data, from: number, to: number): Column | undefined {
  const mul = UNIT_TO_MICROS[(data.type as A.Timestamp).unit];
  if (mul === undefined) return undefined;
  const raw = data.values as BigInt64Array;
  const out = new Array<unknown>(to - from);
  const days = new Map<number, string>();
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
    const sub = micros - ms * 1000;
    const iso = isoMillis(ms, days);
    out[i - from] = sub === 0 ? iso : `${iso.slice(0, -1)}${String(sub).padStart(3, '0')}Z`;
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
