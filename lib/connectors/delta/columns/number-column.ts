/** Builder of fixed-width number columns (byte, short, integer, float, double, date) with min/max tracking. */
import * as A from 'apache-arrow';
import type { DeltaDataType } from '../types.js';
import type { Rejection } from '../values.js';
import { ColumnBuilder, grow, type ColumnStats, type StatsBudget } from './column-builder.js';

/** Arrow types whose values are JavaScript numbers in a typed array. */
export type NumberArrowType = A.Int8 | A.Int16 | A.Int32 | A.Float32 | A.Float64 | A.DateDay;
type NumberArray = Int8Array<ArrayBuffer> | Int16Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Float32Array<ArrayBuffer> | Float64Array<ArrayBuffer>;

export class NumberColumn extends ColumnBuilder<number> {
  private values: NumberArray;
  private min: number | undefined;
  private max: number | undefined;
  private unorderable = false;

  constructor(
    name: string,
    type: DeltaDataType,
    nullable: boolean,
    private readonly ctor: new (n: number) => NumberArray,
    private readonly arrow: () => NumberArrowType,
    private readonly convert: (v: unknown) => number | Rejection,
    private readonly statOut: (v: number) => unknown,
  ) {
    super(name, type, nullable);
    this.values = new ctor(1024);
  }

  protected prepare(v: unknown): number | Rejection {
    return this.convert(v);
  }

  protected pushValue(v: number): void {
    const i = this.length;
    if (i >= this.values.length) this.values = grow(this.values, i + 1, this.ctor);
    this.values[i] = v;
    if (!Number.isFinite(v)) {
      this.unorderable = true;
      return;
    }
    if (this.min === undefined || v < this.min) this.min = v;
    if (this.max === undefined || v > this.max) this.max = v;
  }

  protected pushPlaceholder(): void {
    const i = this.length;
    if (i >= this.values.length) this.values = grow(this.values, i + 1, this.ctor);
    this.values[i] = 0;
  }

  protected resetValues(): void {
    this.min = this.max = undefined;
    this.unorderable = false;
  }

  arrowType(): NumberArrowType {
    return this.arrow();
  }

  bytes(): number {
    return this.length * this.values.BYTES_PER_ELEMENT;
  }

  finish(): A.Data {
    const type = this.arrowType();
    const props = { length: this.length, data: this.values.slice(0, this.length), ...this.takeValidity() };
    if (type instanceof A.Float) return A.makeData({ type, ...props });
    if (type instanceof A.DateDay) return A.makeData({ type, ...props });
    return A.makeData({ type, ...props });
  }

  stats(budget: StatsBudget): ColumnStats | undefined {
    if (budget.left <= 0) return undefined;
    budget.left--;
    if (this.unorderable || this.min === undefined || this.max === undefined) return { nullCount: this.statNulls };
    return { min: this.statOut(this.min), max: this.statOut(this.max), nullCount: this.statNulls };
  }
}
