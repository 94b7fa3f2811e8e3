/** Builder of struct columns: one child builder per field; a row is a plain object with no fields outside the schema. */
import * as A from 'apache-arrow';
import type { DeltaStructField } from '../types.js';
import { Rejection, describe } from '../values.js';
import { ColumnBuilder, type ColumnStats, type StatsBudget } from './column-builder.js';
import type { ColumnFactory } from './make-column.js';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A struct as prepared: each child's prepared value, in field order. */
export type PreparedStruct = readonly unknown[];

export class StructColumn extends ColumnBuilder<PreparedStruct> {
  readonly children: readonly ColumnBuilder[];
  private readonly index: Map<string, number>;

  constructor(name: string, fields: readonly DeltaStructField[], nullable: boolean, make: ColumnFactory) {
    super(name, { type: 'struct', fields }, nullable);
    this.children = fields.map((f) => make(f.name, f.type, f.nullable));
    this.index = new Map(fields.map((f, i) => [f.name, i]));
  }

  protected prepare(v: unknown): PreparedStruct | Rejection {
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

  protected pushValue(vals: PreparedStruct): void {
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

  stats(budget: StatsBudget): ColumnStats | undefined {
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
