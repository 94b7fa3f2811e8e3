/** Builder of 64-bit integer columns (long, timestamp) with min/max tracking. */
import * as A from 'apache-arrow';
import type { DeltaDataType } from '../types.js';
import type { Rejection } from '../values.js';
import { ColumnBuilder, grow, LITTLE_ENDIAN, type ColumnStats, type StatsBudget } from './column-builder.js';

/** A long as prepared: a safe integer as a number (no BigInt per value), else a bigint. */
export type Long = number | bigint;

export class LongColumn extends ColumnBuilder<Long> {
  private values = new BigInt64Array(1024);
  /** The same buffer as 32-bit words, for writing safe integers without a BigInt. */
  private words: Int32Array | null = null;
  private min: Long | undefined;
  private max: Long | undefined;

  constructor(
    name: string,
    type: DeltaDataType,
    nullable: boolean,
    private readonly arrow: () => A.Int64 | A.TimestampMicrosecond,
    private readonly convert: (v: unknown) => Long | Rejection,
    private readonly statOut: (v: Long) => unknown,
  ) {
    super(name, type, nullable);
  }

  protected prepare(v: unknown): Long | Rejection {
    return this.convert(v);
  }

  private ensure(i: number): void {
    if (i >= this.values.length) {
      this.values = grow(this.values, i + 1, BigInt64Array);
      this.words = null;
    }
  }

  protected pushValue(v: Long): void {
    const i = this.length;
    this.ensure(i);
    if (typeof v === 'bigint') this.values[i] = v;
    else if (!LITTLE_ENDIAN) this.values[i] = BigInt(v);
    else {
      // A safe integer goes in as two 32-bit words (little-endian), avoiding a BigInt per value.
      const w = (this.words ??= new Int32Array(this.values.buffer, this.values.byteOffset, this.values.length * 2));
      const hi = Math.floor(v / 4294967296);
      w[2 * i] = v - hi * 4294967296;
      w[2 * i + 1] = hi;
    }
    if (this.min === undefined || v < this.min) this.min = v;
    if (this.max === undefined || v > this.max) this.max = v;
  }

  protected pushPlaceholder(): void {
    const i = this.length;
    this.ensure(i);
    this.values[i] = 0n;
  }

  protected resetValues(): void {
    this.min = this.max = undefined;
  }

  arrowType(): A.Int64 | A.TimestampMicrosecond {
    return this.arrow();
  }

  bytes(): number {
    return this.length * 8;
  }

  finish(): A.Data {
    const type = this.arrowType();
    const props = { length: this.length, data: this.values.slice(0, this.length), ...this.takeValidity() };
    if (type instanceof A.Int64) return A.makeData({ type, ...props });
    return A.makeData({ type, ...props });
  }

  stats(budget: StatsBudget): ColumnStats | undefined {
    if (budget.left <= 0) return undefined;
    budget.left--;
    if (this.min === undefined || this.max === undefined) return { nullCount: this.statNulls };
    return { min: this.statOut(this.min), max: this.statOut(this.max), nullCount: this.statNulls };
  }
}
