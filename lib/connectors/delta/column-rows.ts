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

function utf8Column(data: A.Data, n: number): Column {
  const out = new Array<unknown>(n);
  const o = data.valueOffsets as Int32Array;
  const values = data.values as Uint8Array;
  const buf = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const ascii = isAscii(values, o[0]!, o[n]!);
  for (let i = 0; i < n; i++) {
    if (!data.getValid(i)) {
      out[i] = null;
      continue;
    }
    out[i] = buf.toString(ascii ? 'latin1' : 'utf8', o[i]!, o[i + 1]!);
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

function timestampColumn(data: A.Data, n: number): Column | undefined {
  const mul = UNIT_TO_MICROS[(data.type as A.Timestamp).unit];
  if (mul === undefined) return undefined;
  const raw = data.values as BigInt64Array;
  const out = new Array<unknown>(n);
  const days = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    if (!data.getValid(i)) {
      out[i] = null;
      continue;
    }
    const b = raw[i]!;
    if (b > MAX_SAFE_MICROS || b < -MAX_SAFE_MICROS) {
      out[i] = formatTimestampIso(b * BigInt(mul));
      continue;
    }
    const micros = Number(b) * mul;
    if (!Number.isSafeInteger(micros)) {
      out[i] = formatTimestampIso(b * BigInt(mul));
      continue;
    }
    const ms = Math.floor(micros / 1000);
    const sub = micros - ms * 1000;
    const iso = isoMillis(ms, days);
    out[i] = sub === 0 ? iso : `${iso.slice(0, -1)}${String(sub).padStart(3, '0')}Z`;
  }
  return out;
}

function dateColumn(data: A.Data, n: number): Column {
  const days = (data.type as A.Date_).unit === A.DateUnit.DAY;
  const raw = data.values as ArrayLike<number | bigint>;
  const cache = new Map<number, string>();
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    if (!data.getValid(i)) {
      out[i] = null;
      continue;
    }
    const d = days ? Number(raw[i]) : Number(raw[i]) / 86_400_000;
    let s = cache.get(d);
    if (s === undefined) cache.set(d, (s = formatDate(d)));
    out[i] = s;
  }
  return out;
}

function numberColumn(data: A.Data, n: number): Column | undefined {
  const raw = data.values as ArrayLike<number | bigint>;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    if (!data.getValid(i)) {
      out[i] = null;
      continue;
    }
    const v = raw[i]!;
    if (typeof v === 'bigint') {
      if (v > MAX_SAFE_MICROS || v < -MAX_SAFE_MICROS) return undefined;
      out[i] = Number(v);
    } else out[i] = Number.isFinite(v) ? v : String(v);
  }
  return out;
}

function genericColumn(data: A.Data, n: number): Column {
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = dataValue(data, i);
  return out;
}

/** One column of a batch in JSON form. */
function convertColumn(data: A.Data, n: number): Column {
  switch ((data.type as A.DataType).typeId) {
    case A.Type.Utf8:
      return utf8Column(data, n);
    case A.Type.Timestamp:
      return timestampColumn(data, n) ?? genericColumn(data, n);
    case A.Type.Date:
      return dateColumn(data, n);
    case A.Type.Int:
    case A.Type.Float:
      return numberColumn(data, n) ?? genericColumn(data, n);
    default:
      return genericColumn(data, n);
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
 * field in `constants` (partition values) is that value, any other field is null.
 */
export function columnRows(table: A.Table, fields: readonly string[], constants: Readonly<Record<string, unknown>>): Record<string, unknown>[] {
  const names = table.schema.fields.map((f) => f.name);
  const extra: unknown[] = [];
  const source = fields.map((f) => {
    if (f in constants) {
      extra.push(constants[f]);
      return -extra.length;
    }
    const k = names.indexOf(f);
    if (k >= 0) return k;
    extra.push(null);
    return -extra.length;
  });
  const make = rowMaker(fields, source);
  const out: Record<string, unknown>[] = [];
  for (const batch of table.batches) {
    const n = batch.numRows;
    const cols: Column[] = names.map((_, k) => (source.includes(k) ? convertColumn(batch.data.children[k]!, n) : []));
    for (let i = 0; i < n; i++) out.push(make(cols, extra, i));
  }
  return out;
}
