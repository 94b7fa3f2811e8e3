/** Builder of binary columns (no min/max in stats). */
import * as A from 'apache-arrow';
import { Rejection, describe } from '../values.js';
import { grow, type ColumnStats, type StatsBudget } from './column-builder.js';
import { VarWidthColumn } from './var-width-column.js';

export class BinaryColumn extends VarWidthColumn<Uint8Array> {
  protected prepare(v: unknown): Uint8Array | Rejection {
    return v instanceof Uint8Array ? v : new Rejection(`expected a Uint8Array, got ${describe(v)}`);
  }

  protected write(b: Uint8Array, start: number): number {
    this.data = grow(this.data, start + b.length, Uint8Array);
    this.data.set(b, start);
    return b.length;
  }

  protected resetValues(): void {}

  arrowType(): A.Binary {
    return new A.Binary();
  }

  stats(budget: StatsBudget): ColumnStats | undefined {
    return this.nullCountStats(budget);
  }
}
