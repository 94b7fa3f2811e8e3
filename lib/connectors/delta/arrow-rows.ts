/**
 * Arrow data → plain JSON-ready values, read straight from the buffers (exact 64-bit integers,
 * microsecond timestamps, decimals). The "JSON form" of a value, used by `readTable` and by the
 * verifier scripts: long → number (or a decimal string beyond 2^53), timestamp → ISO-8601 UTC
 * with microseconds when present, date → `YYYY-MM-DD`, decimal → string, binary → base64,
 * map → object, struct → object, array → array. `toJsonForm` gives the same form for input rows.
 */
import * as A from 'apache-arrow';
import { decimalSpec } from './schema.js';
import type { DeltaDataType, DeltaStructType } from './types.js';
import { Rejection, formatDate, formatDecimal, formatTimestampIso, toDateDays, toDecimalUnscaled, toTimestampMicros } from './values.js';

function safeLong(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function num(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

const UNIT_TO_MICROS: Record<number, [bigint, bigint]> = {
  [A.TimeUnit.SECOND]: [1_000_000n, 1n],
  [A.TimeUnit.MILLISECOND]: [1000n, 1n],
  [A.TimeUnit.MICROSECOND]: [1n, 1n],
  [A.TimeUnit.NANOSECOND]: [1n, 1000n],
};

/**
 * Element `i` of `data` in JSON form, or (`writer`) in the form the writer accepts back:
 * long → number|bigint, timestamp → bigint micros, binary → Uint8Array, floats as numbers.
 */
export function dataValue(data: A.Data, i: number, writer = false): unknown {
  if (!data.getValid(i)) return null;
  const t = data.type as A.DataType;
  switch (t.typeId) {
    case A.Type.Utf8:
    case A.Type.LargeUtf8: {
      const o = data.valueOffsets as Int32Array | BigInt64Array;
      return Buffer.from(data.values.buffer, data.values.byteOffset + Number(o[i]), Number(o[i + 1]!) - Number(o[i]!)).toString('utf8');
    }
    case A.Type.Binary:
    case A.Type.LargeBinary: {
      const o = data.valueOffsets as Int32Array | BigInt64Array;
      const b = Buffer.from(data.values.buffer, data.values.byteOffset + Number(o[i]), Number(o[i + 1]!) - Number(o[i]!));
      return writer ? new Uint8Array(b) : b.toString('base64');
    }
    case A.Type.Bool: {
      const pos = data.offset + i;
      return ((data.values as Uint8Array)[pos >> 3]! & (1 << (pos & 7))) !== 0;
    }
    case A.Type.Int: {
      const v = (data.values as ArrayLike<number | bigint>)[i]!;
      if (typeof v !== 'bigint') return v;
      const n = safeLong(v);
      return writer && typeof n === 'string' ? v : n;
    }
    case A.Type.Float:
      return writer ? Number((data.values as Float64Array)[i]) : num(Number((data.values as Float64Array)[i]));
    case A.Type.Date: {
      const v = (data.values as ArrayLike<number | bigint>)[i]!;
      return (t as A.Date_).unit === A.DateUnit.DAY ? formatDate(Number(v)) : formatDate(Number(v) / 86_400_000);
    }
    case A.Type.Timestamp: {
      const [mul, div] = UNIT_TO_MICROS[(t as A.Timestamp).unit]!;
      const raw = (data.values as ArrayLike<bigint | number>)[i]!;
      const micros = (BigInt(raw) * mul) / div;
      return writer ? micros : formatTimestampIso(micros);
    }
    case A.Type.Decimal: {
      const d = t as A.Decimal;
      const words = d.bitWidth / 32;
      const w = data.values as Uint32Array;
      let x = 0n;
      for (let k = words - 1; k >= 0; k--) x = (x << 32n) | BigInt(w[i * words + k]!);
      return formatDecimal(BigInt.asIntN(d.bitWidth, x), d.scale);
    }
    case A.Type.Struct: {
      const out: Record<string, unknown> = {};
      (t as A.Struct).children.forEach((f, k) => (out[f.name] = dataValue(data.children[k]!, i, writer)));
      return out;
    }
    case A.Type.List: {
      const o = data.valueOffsets as Int32Array;
      const out: unknown[] = [];
      for (let k = o[i]!; k < o[i + 1]!; k++) out.push(dataValue(data.children[0]!, k, writer));
      return out;
    }
    case A.Type.Map: {
      const o = data.valueOffsets as Int32Array;
      const entries = data.children[0]!;
      const pairs: [string, unknown][] = [];
      for (let k = o[i]!; k < o[i + 1]!; k++) pairs.push([String(dataValue(entries.children[0]!, k)), dataValue(entries.children[1]!, k, writer)]);
      return Object.fromEntries(pairs);
    }
    case A.Type.Dictionary:
      return dataValue(data.dictionary!.data[0]!, Number((data.values as ArrayLike<number>)[i]), writer);
    case A.Type.Null:
      return null;
  }
  throw new RangeError(`unsupported Arrow type ${String(t)}`);
}

/** Every row of an Arrow table in JSON form (or writer form). */
export function tableRows(table: A.Table, writer = false): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const names = table.schema.fields.map((f) => f.name);
  for (const batch of table.batches) {
    const cols = names.map((_, k) => batch.data.children[k]!);
    for (let i = 0; i < batch.numRows; i++) {
      const row: Record<string, unknown> = {};
      for (let k = 0; k < names.length; k++) row[names[k]!] = dataValue(cols[k]!, i, writer);
      out.push(row);
    }
  }
  return out;
}

/** The JSON form of a writer input value of a Delta type (the value must fit the type). */
export function toJsonForm(type: DeltaDataType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof type !== 'string') {
    if (type.type === 'struct') return rowToJsonForm(type, v as Record<string, unknown>);
    if (type.type === 'array') return (v as unknown[]).map((x) => toJsonForm(type.elementType, x));
    const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
    return Object.fromEntries(entries.map(([k, x]) => [k, toJsonForm(type.valueType, x)]));
  }
  const must = <T>(x: T | Rejection): T => {
    if (x instanceof Rejection) throw new RangeError(x.reason);
    return x;
  };
  switch (type) {
    case 'long':
      return safeLong(BigInt(v as number | bigint));
    case 'integer':
    case 'short':
    case 'byte':
      return Number(v);
    case 'float':
      return num(Math.fround(v as number));
    case 'double':
      return num(v as number);
    case 'date':
      return formatDate(must(toDateDays(v)));
    case 'timestamp':
      return formatTimestampIso(must(toTimestampMicros(v)));
    case 'binary':
      return Buffer.from(v as Uint8Array).toString('base64');
    case 'string':
    case 'boolean':
      return v;
  }
  const d = decimalSpec(type)!;
  return formatDecimal(must(toDecimalUnscaled(v, d.precision, d.scale)), d.scale);
}

/** A row as JSON-friendly values (64-bit integers and decimals as strings, dates as ISO text), for printing and comparing. */
export function rowToJsonForm(schema: DeltaStructType, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of schema.fields) out[f.name] = toJsonForm(f.type, row[f.name]);
  return out;
}
