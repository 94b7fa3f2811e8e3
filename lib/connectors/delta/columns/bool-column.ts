/** Builder of boolean columns (bit-packed; no min/max in stats). */
import * as A from 'apache-arrow';
import { Rejection, describe } from '../values.js';
import { ColumnBuilder, grow, type ColumnStats, type StatsBudget } from './column-builder.js';

export class BoolColumn extends ColumnBuilder<boolean> {
  private bits: Uint8Array<ArrayBuffer> = new Uint8Array(128);

  protected prepare(v: unknown): boolean | Rejection {
    return typeof v === 'boolean' ? v : new Rejection(`expected a boolean, got ${describe(v)}`);
  }

  protected pushValue(p: boolean): void {
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

  arrowType(): A.Bool {
    return new A.Bool();
  }

  bytes(): number {
    return (this.length + 7) >> 3;
  }

  finish(): A.Data {
    return A.makeData({ type: new A.Bool(), length: this.length, data: this.bits.slice(0, (this.length + 7) >> 3), ...this.takeValidity() });
  }

  stats(budget: StatsBudget): ColumnStats | undefined {
    return this.nullCountStats(budget);
  }
}
