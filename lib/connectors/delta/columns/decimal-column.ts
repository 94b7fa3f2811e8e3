/** Builder of decimal(p,s) columns: 128-bit unscaled values, exact min/max as raw JSON in stats. */
import * as A from 'apache-arrow';
import type { DeltaDataType } from '../types.js';
import { decimalUnscaledNumber, formatDecimal, toDecimalUnscaled, type Rejection } from '../values.js';
import { ColumnBuilder, grow, RawJson, type ColumnStats, type StatsBudget } from './column-builder.js';

export class DecimalColumn extends ColumnBuilder<bigint | number> {
  private words = new Uint32Array(4096);
  private min: bigint | undefined;
  private max: bigint | undefined;
  /** Min and max of the values pushed as numbers (see `prepare`); merged with the bigint ones for stats. */
  private minN = Infinity;
  private maxN = -Infinity;

  constructor(
    name: string,
    type: DeltaDataType,
    nullable: boolean,
    private readonly precision: number,
    private readonly scale: number,
  ) {
    super(name, type, nullable);
  }

  protected prepare(v: unknown): bigint | number | Rejection {
    // A number when the unscaled value is a small exact integer (no BigInt per value), else a bigint.
    return decimalUnscaledNumber(v, this.precision, this.scale) ?? toDecimalUnscaled(v, this.precision, this.scale);
  }

  protected pushValue(v: bigint | number): void {
    const i = this.length;
    this.words = grow(this.words, (i + 1) * 4, Uint32Array);
    if (typeof v === 'number') {
      // Two's complement over 128 bits of a safe integer, by 32-bit words (little-endian).
      const neg = v < 0;
      const m = neg ? -v - 1 : v;
      const hi = Math.floor(m / 4294967296);
      const lo = m - hi * 4294967296;
      const w = this.words;
      w[i * 4] = neg ? ~lo >>> 0 : lo;
      w[i * 4 + 1] = neg ? ~hi >>> 0 : hi;
      w[i * 4 + 2] = neg ? 0xffffffff : 0;
      w[i * 4 + 3] = neg ? 0xffffffff : 0;
      if (v < this.minN) this.minN = v;
      if (v > this.maxN) this.maxN = v;
      return;
    }
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
    let min = this.min;
    let max = this.max;
    if (this.minN <= this.maxN) {
      const lo = BigInt(this.minN);
      const hi = BigInt(this.maxN);
      if (min === undefined || lo < min) min = lo;
      if (max === undefined || hi > max) max = hi;
    }
    if (min === undefined || max === undefined) return { nullCount: this.statNulls };
    return { min: new RawJson(formatDecimal(min, this.scale)), max: new RawJson(formatDecimal(max, this.scale)), nullCount: this.statNulls };
  }
}
