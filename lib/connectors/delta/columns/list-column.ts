/** Builder of array columns: offsets over one element builder (no min/max in stats). */
import * as A from 'apache-arrow';
import type { DeltaArrayType } from '../types.js';
import { Rejection, describe } from '../values.js';
import { ColumnBuilder, grow, type ColumnStats, type StatsBudget } from './column-builder.js';
import type { ColumnFactory } from './make-column.js';

export class ListColumn extends ColumnBuilder<readonly unknown[]> {
  private readonly child: ColumnBuilder;
  private offsets = new Int32Array(1025);

  constructor(name: string, type: DeltaArrayType, nullable: boolean, make: ColumnFactory) {
    super(name, type, nullable);
    this.child = make('element', type.elementType, type.containsNull);
  }

  protected prepare(v: unknown): readonly unknown[] | Rejection {
    if (!Array.isArray(v)) return new Rejection(`expected an array, got ${describe(v)}`);
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const p = this.child.prep(v[i]);
      if (p instanceof Rejection) return new Rejection(`[${i}] ${p.reason}`);
      out[i] = p;
    }
    return out;
  }

  protected pushValue(vals: readonly unknown[]): void {
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

  arrowType(): A.List {
    return new A.List(this.child.arrowField());
  }

  bytes(): number {
    return this.length * 4 + this.child.bytes();
  }

  finish(): A.Data {
    return A.makeData({
      type: this.arrowType(),
      length: this.length,
      valueOffsets: this.offsets.slice(0, this.length + 1),
      child: this.child.finish(),
      ...this.takeValidity(),
    });
  }

  stats(budget: StatsBudget): ColumnStats | undefined {
    return this.nullCountStats(budget);
  }
}
