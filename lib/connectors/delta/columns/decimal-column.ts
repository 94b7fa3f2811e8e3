/** Builder of decimal(p,s) columns: 128-bit unscaled values, exact min/max as raw JSON in stats. */
import * as A from 'apache-arrow';
import type { DeltaDataType } from '../types.js';
import { formatDecimal, toDecimalUnscaled, type Rejection } from '../values.js';
import { ColumnBuilder, grow, RawJson, type ColumnStats, type StatsBudget } from './column-builder.js';

export class DecimalColumn extends ColumnBuilder<bigint> {
  private words = new Uint32Array(4096);
  private min: bigint | undefined;
  private max: bigint | undefined;

  constructor(
    name: string,
    type: DeltaDataType,
    nullable: boolean,
    private readonly precision: number,
    private readonly scale: number,
  ) {
    super(name, type, nullable);
  }

  protected prepare(v: unknown): bigint | Rejection {
    return toDecimalUnscaled(v, this.precision, this.scale);
  }

  protected pushValue(v: bigint): void {
    const i = this.length;
    this.words = grow(this.words, (i + 1) * 4, Uint32Array);
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
  }

  arrowType(): A.Decimal {
    return new A.Decimal(this.scale, this.precision, 128);
  }

  bytes(): number {
    return this.length * 16;
  }

  finish(): A.Data {
    return A.makeData({ type: this.arrowType(), length: this.length, data: this.words.slice(0, this.length * 4), ...this.takeValidity() });
  }

  stats(budget: StatsBudget): ColumnStats | undefined {
    if (budget.left <= 0) return undefined;
    budget.left--;
    if (this.min === undefined || this.max === undefined) return { nullCount: this.statNulls };
    return { min: new RawJson(formatDecimal(this.min, this.scale)), max: new RawJson(formatDecimal(this.max, this.scale)), nullCount: this.statNulls };
  }
}
