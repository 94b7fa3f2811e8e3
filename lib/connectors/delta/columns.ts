/**
 * Column builders: strict per-value checks, growable typed buffers, exact min/max/null counts,
 * and conversion to Arrow `Data` with freshly copied buffers (no two columns share memory).
 * A row is first *prepared* by every column (checks + conversion, no mutation) and only then
 * *pushed*, so a rejected row leaves buffers and stats untouched.
 */
import * as A from 'apache-arrow';
import { decimalSpec } from './schema.js';
import type { DeltaArrayType, DeltaDataType, DeltaMapType, DeltaStructField } from './types.js';
import {
  Rejection, compareUtf8, describe, formatDate, formatDecimal, formatTimestampIso,
  toDateDays, toDecimalUnscaled, decimalUnscaledNumber, toIntInRange, toLong, toTimestampMicros,
} from './values.js';

/** JSON text spliced verbatim into stats (exact decimals and 64-bit integers). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Per-column file statistics in Delta's stats JSON shape; undefined members are omitted. */
export interface ColumnStats {
  readonly min?: unknown;
  readonly max?: unknown;
  readonly nullCount?: unknown;
}

const NULL = Symbol('null');
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const MAX_STAT_STRING = 256;

function grow<T extends { length: number; set(a: ArrayLike<never>): void }>(arr: T, need: number, ctor: new (n: number) => T): T {
  if (need <= arr.length) return arr;
  let n = arr.length * 2;
  while (n < need) n *= 2;
  const out = new ctor(n);
  out.set(arr as unknown as ArrayLike<never>);
  return out;
}

export abstract class ColumnBuilder {
  length = 0;
  /** Arrow nulls (validity bitmap). */
  protected nulls = 0;
  /** Nulls as stats count them: includes slots under a null parent. */
  protected statNulls = 0;
  private validity: Uint8Array<ArrayBuffer> | null = null;

  constructor(
    readonly name: string,
    readonly type: DeltaDataType,
    readonly nullable: boolean,
  ) {}

  /** Converts a value (null/undefined allowed) into what `push` takes, or a Rejection. Never mutates. */
  prep(v: unknown): unknown {
    if (v === null || v === undefined) return this.nullable ? NULL : new Rejection('is null but the column is NOT NULL');
    return this.prepare(v);
  }

  push(p: unknown): void {
    if (p === NULL) {
      this.pushAbsent();
      return;
    }
    if (this.validity) this.setValid(this.length, true);
    this.pushValue(p);
    this.length++;
  }

  /** A null here, or (for NOT NULL children of a null struct) a placeholder that is not a value. */
  pushAbsent(): void {
    if (this.nullable) {
      if (!this.validity) {
        this.validity = new Uint8Array(Math.max(64, (this.length >> 3) * 2 + 8)).fill(0xff);
      }
      this.setValid(this.length, false);
      this.nulls++;
    } else if (this.validity) {
      this.setValid(this.length, true);
    }
    this.statNulls++;
    this.pushPlaceholder();
    this.length++;
  }

  private setValid(i: number, valid: boolean): void {
    this.validity = grow(this.validity!, (i >> 3) + 1, Uint8Array);
    if (valid) this.validity[i >> 3]! |= 1 << (i & 7);
    else this.validity[i >> 3]! &= ~(1 << (i & 7));
  }

  protected takeValidity(): { nullBitmap?: Uint8Array; nullCount: number } {
    if (!this.validity || this.nulls === 0) return { nullCount: 0 };
    return { nullBitmap: this.validity.slice(0, (this.length + 7) >> 3), nullCount: this.nulls };
  }

  arrowField(): A.Field {
    return new A.Field(this.name, this.arrowType(), this.nullable);
  }

  /** Builds Arrow data of everything pushed since the last reset. */
  abstract finish(): A.Data;
  /** Clears values and stats, keeping capacity. */
  reset(): void {
    this.length = 0;
    this.nulls = 0;
    this.statNulls = 0;
    this.validity = null;
    this.resetValues();
  }
  abstract arrowType(): A.DataType;
  abstract bytes(): number;
  /** Stats of this column, or undefined beyond the leaf budget. */
  abstract stats(budget: { left: number }): ColumnStats | undefined;
  protected abstract prepare(v: unknown): unknown;
  protected abstract pushValue(p: unknown): void;
  protected abstract pushPlaceholder(): void;
  protected abstract resetValues(): void;
}

type Num = number | bigint;

/** Fixed-width numbers with min/max tracking. */
class FixedColumn<T extends Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array> extends ColumnBuilder {
  private values: T;
  private words: Int32Array | null = null;
  private min: Num | undefined;
  private max: Num | undefined;
  private unorderable = false;

  constructor(
    name: string, type: DeltaDataType, nullable: boolean,
    private readonly ctor: new (n: number) => T,
    private readonly arrow: () => A.DataType,
    private readonly convert: (v: unknown) => Num | Rejection,
    private readonly statOut: (v: Num) => unknown,
  ) {
    super(name, type, nullable);
    this.values = new ctor(1024);
  }

  protected prepare(v: unknown): unknown {
    return this.convert(v);
  }

  protected pushValue(p: unknown): void {
    const i = this.length;
    if (i >= this.values.length) {
      this.values = grow(this.values as never, i + 1, this.ctor as never) as T;
      this.words = null;
    }
    const v = p as Num;
    if (this.values instanceof BigInt64Array) {
      if (typeof v === 'bigint') this.values[i] = v;
      else if (!LITTLE_ENDIAN) this.values[i] = BigInt(v);
      else {
        // A safe integer goes in as two 32-bit words (little-endian), avoiding a BigInt per value.
        const w = (this.words ??= new Int32Array(this.values.buffer, this.values.byteOffset, this.values.length * 2));
        const hi = Math.floor(v / 4294967296);
        w[2 * i] = v - hi * 4294967296;
        w[2 * i + 1] = hi;
      }
    } else (this.values as Float64Array)[i] = v as number;
    if (typeof v === 'number' && !Number.isFinite(v)) {
      this.unorderable = true;
      return;
    }
    if (this.min === undefined || v < this.min) this.min = v;
    if (this.max === undefined || v > this.max) this.max = v;
  }

  protected pushPlaceholder(): void {
    const i = this.length;
    if (i >= this.values.length) {
      this.values = grow(this.values as never, i + 1, this.ctor as never) as T;
      this.words = null;
    }
    if (this.values instanceof BigInt64Array) this.values[i] = 0n;
    else (this.values as Float64Array)[i] = 0;
  }

  protected resetValues(): void {
    this.min = this.max = undefined;
    this.unorderable = false;
  }

  arrowType(): A.DataType {
    return this.arrow();
  }

  bytes(): number {
    return this.length * this.values.BYTES_PER_ELEMENT;
  }

  finish(): A.Data {
    return A.makeData({ type: this.arrowType() as never, length: this.length, data: this.values.slice(0, this.length) as never, ...this.takeValidity() });
  }

  stats(budget: { left: number }): ColumnStats | undefined {
    if (budget.left <= 0) return undefined;
    budget.left--;
    if (this.unorderable || this.min === undefined || this.max === undefined) return { nullCount: this.statNulls };
    return { min: this.statOut(this.min), max: this.statOut(this.max), nullCount: this.statNulls };
  }
}

class BoolColumn extends ColumnBuilder {
  private bits: Uint8Array<ArrayBuffer> = new Uint8Array(128);
  protected prepare(v: unknown): unknown {
    return typeof v === 'boolean' ? v : new Rejection(`expected a boolean, got ${describe(v)}`);
  }
  protected pushValue(p: unknown): void {
    const i = this.length;
    this.bits = grow(this.bits, (i >> 3) + 1, Uint8Array);
    if (p) this.bits[i >> 3]! |= 1 << (i & 7);
    else this.bits[i >> 3]! &= ~(1 << (i & 7));
  }
  protected pushPlaceholder(): void {
    this.pushValue(false);
  }
  protected resetValues(): void {
    this.bits.fill(0);
  }
  arrowType(): A.DataType {
    return new A.Bool();
  }
  bytes(): number {
    return (this.length + 7) >> 3;
  }
  finish(): A.Data {
    return A.makeData({ type: new A.Bool(), length: this.length, data: this.bits.slice(0, (this.length + 7) >> 3), ...this.takeValidity() });
  }
  stats(budget: { left: number }): ColumnStats | undefined {
    if (budget.left <= 0) return undefined;
    budget.left--;
    return { nullCount: this.statNulls };
  }
}

const encoder = new TextEncoder();

/** Variable-width UTF-8 strings or binary. */
class VarColumn extends ColumnBuilder {
  private offsets = new Int32Array(1025);
  private data: Uint8Array<ArrayBuffer> = new Uint8Array(16384);
  private min: string | undefined;
  private max: string | undefined;
  private minAscii = true;
  private maxAscii = true;

  constructor(name: string, type: DeltaDataType, nullable: boolean, private readonly utf8: boolean) {
    super(name, type, nullable);
  }

  protected prepare(v: unknown): unknown {
    if (this.utf8) return typeof v === 'string' ? v : new Rejection(`expected a string, got ${describe(v)}`);
    return v instanceof Uint8Array ? v : new Rejection(`expected a Uint8Array, got ${describe(v)}`);
  }

  protected pushValue(p: unknown): void {
    const i = this.length;
    if (i + 2 > this.offsets.length) this.offsets = grow(this.offsets, i + 2, Int32Array);
    const start = this.offsets[i]!;
    let written: number;
    if (this.utf8) {
      const s = p as string;
      this.data = grow(this.data, start + s.length * 3, Uint8Array);
      written = encoder.encodeInto(s, this.data.subarray(start)).written;
      this.trackString(s, written === s.length);
    } else {
      const b = p as Uint8Array;
      this.data = grow(this.data, start + b.length, Uint8Array);
      this.data.set(b, start);
      written = b.length;
    }
    if (start + written > 0x7fffffff) throw new RangeError('string column exceeds 2 GiB in one file');
    this.offsets[i + 1] = start + written;
  }

  private trackString(s: string, ascii: boolean): void {
    if (this.min === undefined) {
      this.min = this.max = s;
      this.minAscii = this.maxAscii = ascii;
      return;
    }
    if ((ascii || this.minAscii) ? s < this.min : compareUtf8(s, this.min) < 0) {
      this.min = s;
      this.minAscii = ascii;
    }
    if ((ascii || this.maxAscii) ? s > this.max! : compareUtf8(s, this.max!) > 0) {
      this.max = s;
      this.maxAscii = ascii;
    }
  }

  protected pushPlaceholder(): void {
    const i = this.length;
    if (i + 2 > this.offsets.length) this.offsets = grow(this.offsets, i + 2, Int32Array);
    this.offsets[i + 1] = this.offsets[i]!;
  }

  protected resetValues(): void {
    this.min = this.max = undefined;
  }

  arrowType(): A.DataType {
    return this.utf8 ? new A.Utf8() : new A.Binary();
  }

  bytes(): number {
    return this.offsets[this.length]! + 4 * this.length;
  }

  finish(): A.Data {
    const end = this.offsets[this.length]!;
    return A.makeData({
      type: this.arrowType() as A.Utf8,
      length: this.length,
      valueOffsets: this.offsets.slice(0, this.length + 1),
      data: this.data.slice(0, end),
      ...this.takeValidity(),
    });
  }

  stats(budget: { left: number }): ColumnStats | undefined {
    if (budget.left <= 0) return undefined;
    budget.left--;
    if (!this.utf8 || this.min === undefined || this.min.length > MAX_STAT_STRING || this.max!.length > MAX_STAT_STRING) {
      return { nullCount: this.statNulls };
    }
    return { min: this.min, max: this.max, nullCount: this.statNulls };
  }
}

class DecimalColumn extends ColumnBuilder {
  private words = new Uint32Array(4096);
  private min: bigint | undefined;
  private max: bigint | undefined;

  constructor(name: string, type: DeltaDataType, nullable: boolean, private readonly precision: number, private readonly scale: number) {
    super(name, type, nullable);
  }
  /** Min and max of the values pushed as numbers (see `prepare`); merged with the bigint ones for stats. */
  private minN = Infinity;
  private maxN = -Infinity;
  protected prepare(v: unknown): unknown {
    // A number when the unscaled value is a small exact integer (no BigInt per value), else a bigint.
    return decimalUnscaledNumber(v, this.precision, this.scale) ?? toDecimalUnscaled(v, this.precision, this.scale);
  }
  protected pushValue(p: unknown): void {
    const i = this.length;
    this.words = grow(this.words, (i + 1) * 4, Uint32Array);
    if (typeof p === 'number') {
      // Two's complement over 128 bits of a safe integer, by 32-bit words (little-endian).
      const neg = p < 0;
      const m = neg ? -p - 1 : p;
      const hi = Math.floor(m / 4294967296);
      const lo = m - hi * 4294967296;
      const w = this.words;
      w[i * 4] = neg ? ~lo >>> 0 : lo;
      w[i * 4 + 1] = neg ? ~hi >>> 0 : hi;
      w[i * 4 + 2] = neg ? 0xffffffff : 0;
      w[i * 4 + 3] = neg ? 0xffffffff : 0;
      if (p < this.minN) this.minN = p;
      if (p > this.maxN) this.maxN = p;
      return;
    }
    const v = p as bigint;
    let x = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++) {
      this.words[i * 4 + w] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
    if (this.min === undefined || v < this.min) this.min = v;
    if (this.max === undefined || v > this.max) this.max = v;
  }
  protected pushPlaceholder(): void {
    const i = this.length;
    this.words = grow(this.words, (i + 1) * 4, Uint32Array);
    this.words.fill(0, i * 4, i * 4 + 4);
  }
  protected resetValues(): void {
    this.min = this.max = undefined;
    this.minN = Infinity;
    this.maxN = -Infinity;
  }
  arrowType(): A.DataType {
    return new A.Decimal(this.scale, this.precision, 128);
  }
  bytes(): number {
    return this.length * 16;
  }
  finish(): A.Data {
    return A.makeData({ type: this.arrowType() as A.Decimal, length: this.length, data: this.words.slice(0, this.length * 4), ...this.takeValidity() });
  }
  stats(budget: { left: number }): ColumnStats | undefined {
    if (budget.left <= 0) return undefined;
    budget.left--;
    let min = this.min;
    let max = this.max;
    if (this.minN <= this.maxN) {
      const lo = BigInt(this.minN), hi = BigInt(this.maxN);
      if (min === undefined || lo < min) min = lo;
      if (max === undefined || hi > max) max = hi;
    }
    if (min === undefined) return { nullCount: this.statNulls };
    return { min: new RawJson(formatDecimal(min, this.scale)), max: new RawJson(formatDecimal(max!, this.scale)), nullCount: this.statNulls };
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export class StructColumn extends ColumnBuilder {
  readonly children: ColumnBuilder[];
  private readonly index: Map<string, number>;

  constructor(name: string, fields: readonly DeltaStructField[], nullable: boolean) {
    super(name, { type: 'struct', fields }, nullable);
    this.children = fields.map((f) => makeColumn(f.name, f.type, f.nullable));
    this.index = new Map(fields.map((f, i) => [f.name, i]));
  }

  protected prepare(v: unknown): unknown {
    if (!isPlainObject(v)) return new Rejection(`expected an object, got ${describe(v)}`);
    for (const k in v) {
      if (!this.index.has(k) && v[k] !== undefined) return new Rejection(`has field "${k}" that is not in the schema`);
    }
    const out = new Array<unknown>(this.children.length);
    for (let i = 0; i < this.children.length; i++) {
      const c = this.children[i]!;
      const p = c.prep(v[c.name]);
      if (p instanceof Rejection) return new Rejection(`.${c.name} ${p.reason}`);
      out[i] = p;
    }
    return out;
  }
  protected pushValue(p: unknown): void {
    const vals = p as unknown[];
    for (let i = 0; i < this.children.length; i++) this.children[i]!.push(vals[i]);
  }
  protected pushPlaceholder(): void {
    for (const c of this.children) c.pushAbsent();
  }
  protected resetValues(): void {
    for (const c of this.children) c.reset();
  }
  arrowType(): A.Struct {
    return new A.Struct(this.children.map((c) => c.arrowField()));
  }
  bytes(): number {
    let n = 0;
    for (const c of this.children) n += c.bytes();
    return n;
  }
  finish(): A.Data {
    return A.makeData({ type: this.arrowType(), length: this.length, children: this.children.map((c) => c.finish()), ...this.takeValidity() });
  }
  stats(budget: { left: number }): ColumnStats | undefined {
    if (budget.left <= 0) return undefined;
    const min: Record<string, unknown> = {};
    const max: Record<string, unknown> = {};
    const nulls: Record<string, unknown> = {};
    for (const c of this.children) {
      const s = c.stats(budget);
      if (!s) break;
      if (s.min !== undefined) min[c.name] = s.min;
      if (s.max !== undefined) max[c.name] = s.max;
      if (s.nullCount !== undefined) nulls[c.name] = s.nullCount;
    }
    return { min, max, nullCount: nulls };
  }
}

class ListColumn extends ColumnBuilder {
  private readonly child: ColumnBuilder;
  private offsets = new Int32Array(1025);

  constructor(name: string, type: DeltaArrayType, nullable: boolean) {
    super(name, type, nullable);
    this.child = makeColumn('element', type.elementType, type.containsNull);
  }
  protected prepare(v: unknown): unknown {
    if (!Array.isArray(v)) return new Rejection(`expected an array, got ${describe(v)}`);
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const p = this.child.prep(v[i]);
      if (p instanceof Rejection) return new Rejection(`[${i}] ${p.reason}`);
      out[i] = p;
    }
    return out;
  }
  protected pushValue(p: unknown): void {
    const vals = p as unknown[];
    for (const x of vals) this.child.push(x);
    this.setEnd(this.child.length);
  }
  private setEnd(end: number): void {
    const i = this.length;
    if (i + 2 > this.offsets.length) this.offsets = grow(this.offsets, i + 2, Int32Array);
    this.offsets[i + 1] = end;
  }
  protected pushPlaceholder(): void {
    this.setEnd(this.child.length);
  }
  protected resetValues(): void {
    this.child.reset();
  }
  arrowType(): A.DataType {
    return new A.List(this.child.arrowField());
  }
  bytes(): number {
    return this.length * 4 + this.child.bytes();
  }
  finish(): A.Data {
    return A.makeData({ type: this.arrowType() as A.List, length: this.length, valueOffsets: this.offsets.slice(0, this.length + 1), child: this.child.finish(), ...this.takeValidity() });
  }
  stats(budget: { left: number }): ColumnStats | undefined {
    if (budget.left <= 0) return undefined;
    budget.left--;
    return { nullCount: this.statNulls };
  }
}

class MapColumn extends ColumnBuilder {
  private readonly entries: StructColumn;
  private offsets = new Int32Array(1025);
  private readonly valueType: DeltaDataType;

  constructor(name: string, type: DeltaMapType, nullable: boolean) {
    super(name, type, nullable);
    this.valueType = type.valueType;
    this.entries = new StructColumn('key_value', [
      { name: 'key', type: type.keyType, nullable: false, metadata: {} },
      { name: 'value', type: type.valueType, nullable: type.valueContainsNull, metadata: {} },
    ], false);
  }
  protected prepare(v: unknown): unknown {
    let pairs: [unknown, unknown][];
    if (v instanceof Map) pairs = [...v.entries()];
    else if (isPlainObject(v)) pairs = Object.entries(v);
    else return new Rejection(`expected a Map or an object for map<string,${typeof this.valueType === 'string' ? this.valueType : this.valueType.type}>, got ${describe(v)}`);
    const out: unknown[] = [];
    for (const [k, val] of pairs) {
      const p = this.entries.prep({ key: k, value: val });
      if (p instanceof Rejection) return new Rejection(`[${JSON.stringify(k)}]${p.reason}`);
      out.push(p);
    }
    return out;
  }
  protected pushValue(p: unknown): void {
    for (const e of p as unknown[]) this.entries.push(e);
    this.setEnd(this.entries.length);
  }
  private setEnd(end: number): void {
    const i = this.length;
    if (i + 2 > this.offsets.length) this.offsets = grow(this.offsets, i + 2, Int32Array);
    this.offsets[i + 1] = end;
  }
  protected pushPlaceholder(): void {
    this.setEnd(this.entries.length);
  }
  protected resetValues(): void {
    this.entries.reset();
  }
  arrowType(): A.DataType {
    return new A.Map_(new A.Field('key_value', this.entries.arrowType(), false) as A.Field<A.Struct>);
  }
  bytes(): number {
    return this.length * 4 + this.entries.bytes();
  }
  finish(): A.Data {
    return A.makeData({ type: this.arrowType() as A.Map_, length: this.length, valueOffsets: this.offsets.slice(0, this.length + 1), child: this.entries.finish(), ...this.takeValidity() });
  }
  stats(budget: { left: number }): ColumnStats | undefined {
    if (budget.left <= 0) return undefined;
    budget.left--;
    return { nullCount: this.statNulls };
  }
}

const identity = (v: Num): unknown => (typeof v === 'bigint' ? new RawJson(v.toString()) : v);

/** A builder for one column of the given Delta type. */
export function makeColumn(name: string, type: DeltaDataType, nullable: boolean): ColumnBuilder {
  if (typeof type !== 'string') {
    if (type.type === 'struct') return new StructColumn(name, type.fields, nullable);
    if (type.type === 'array') return new ListColumn(name, type, nullable);
    return new MapColumn(name, type, nullable);
  }
  switch (type) {
    case 'string': return new VarColumn(name, type, nullable, true);
    case 'binary': return new VarColumn(name, type, nullable, false);
    case 'boolean': return new BoolColumn(name, type, nullable);
    case 'long': return new FixedColumn(name, type, nullable, BigInt64Array, () => new A.Int64(), toLong, identity);
    case 'integer': return new FixedColumn(name, type, nullable, Int32Array, () => new A.Int32(), (v) => toIntInRange(v, -2147483648, 2147483647, 'integer'), identity);
    case 'short': return new FixedColumn(name, type, nullable, Int16Array, () => new A.Int16(), (v) => toIntInRange(v, -32768, 32767, 'short'), identity);
    case 'byte': return new FixedColumn(name, type, nullable, Int8Array, () => new A.Int8(), (v) => toIntInRange(v, -128, 127, 'byte'), identity);
    case 'double': return new FixedColumn(name, type, nullable, Float64Array, () => new A.Float64(), toDouble, identity);
    case 'float': return new FixedColumn(name, type, nullable, Float32Array, () => new A.Float32(), toFloat, identity);
    case 'date': return new FixedColumn(name, type, nullable, Int32Array, () => new A.DateDay(), toDateDays, (v) => formatDate(Number(v)));
    case 'timestamp': return new FixedColumn(name, type, nullable, BigInt64Array, () => new A.TimestampMicrosecond('UTC'), toTimestampMicros, (v) => formatTimestampIso(v));
  }
  const d = decimalSpec(type);
  if (d) return new DecimalColumn(name, type, nullable, d.precision, d.scale);
  throw new RangeError(`unsupported Delta type ${type}`);
}

function toDouble(v: unknown): number | Rejection {
  return typeof v === 'number' ? v : new Rejection(`expected a number, got ${describe(v)}`);
}

function toFloat(v: unknown): number | Rejection {
  if (typeof v !== 'number') return new Rejection(`expected a number, got ${describe(v)}`);
  const f = Math.fround(v);
  if (f !== v && !Number.isNaN(v)) return new Rejection(`${v} is not exactly representable as a float (nearest ${f})`);
  return f;
}
