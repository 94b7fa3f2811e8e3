/** Builder of UTF-8 string columns with min/max in stats (UTF-8 byte order; strings over 256 characters report none). */
import * as A from 'apache-arrow';
import { Rejection, compareUtf8, describe } from '../values.js';
import { grow, type ColumnStats, type StatsBudget } from './column-builder.js';
import { VarWidthColumn } from './var-width-column.js';

const MAX_STAT_STRING = 256;
const encoder = new TextEncoder();
/** Strings up to this length are tried as ASCII by a loop first (see `write`). */
const SHORT_STRING = 64;

export class StringColumn extends VarWidthColumn<string> {
  private min: string | undefined;
  private max: string | undefined;
  private minAscii = true;
  private maxAscii = true;

  protected prepare(v: unknown): string | Rejection {
    return typeof v === 'string' ? v : new Rejection(`expected a string, got ${describe(v)}`);
  }

  protected write(s: string, start: number): number {
    const n = s.length;
    const data = (this.data = grow(this.data, start + n * 3, Uint8Array));
    if (n <= SHORT_STRING) {
      // Short ASCII strings (ids, codes, times) are copied by a loop: cheaper than a call into the
      // encoder and its subarray. At the first non-ASCII character the encoder writes it all.
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        data[start + i] = c;
      }
      if (i === n) {
        this.track(s, true);
        return n;
      }
    }
    const written = encoder.encodeInto(s, data.subarray(start)).written;
    this.track(s, written === n);
    return written;
  }

  private track(s: string, ascii: boolean): void {
    if (this.min === undefined || this.max === undefined) {
      this.min = this.max = s;
      this.minAscii = this.maxAscii = ascii;
      return;
    }
    if (ascii || this.minAscii ? s < this.min : compareUtf8(s, this.min) < 0) {
      this.min = s;
      this.minAscii = ascii;
    }
    if (ascii || this.maxAscii ? s > this.max : compareUtf8(s, this.max) > 0) {
      this.max = s;
      this.maxAscii = ascii;
    }
  }

  protected resetValues(): void {
    this.min = this.max = undefined;
  }

  arrowType(): A.Utf8 {
    return new A.Utf8();
  }

  stats(budget: StatsBudget): ColumnStats | undefined {
    if (budget.left <= 0) return undefined;
    budget.left--;
    if (this.min === undefined || this.max === undefined || this.min.length > MAX_STAT_STRING || this.max.length > MAX_STAT_STRING) {
      return { nullCount: this.statNulls };
    }
    return { min: this.min, max: this.max, nullCount: this.statNulls };
  }
}
