/** What the string and binary builders share: an offsets buffer and a data buffer (Arrow's variable-width layout). */
import * as A from 'apache-arrow';
import { ColumnBuilder, grow } from './column-builder.js';

export abstract class VarWidthColumn<P> extends ColumnBuilder<P> {
  private offsets = new Int32Array(1025);
  protected data: Uint8Array<ArrayBuffer> = new Uint8Array(16384);

  /** Writes `p` at `start` of `data` (growing it) and returns the bytes written. */
  protected abstract write(p: P, start: number): number;

  protected pushValue(p: P): void {
    const i = this.length;
    if (i + 2 > this.offsets.length) this.offsets = grow(this.offsets, i + 2, Int32Array);
    const start = this.offsets[i]!;
    const written = this.write(p, start);
    if (start + written > 0x7fffffff) throw new RangeError('string column exceeds 2 GiB in one file');
    this.offsets[i + 1] = start + written;
  }

  protected pushPlaceholder(): void {
    const i = this.length;
    if (i + 2 > this.offsets.length) this.offsets = grow(this.offsets, i + 2, Int32Array);
    this.offsets[i + 1] = this.offsets[i]!;
  }

  abstract override arrowType(): A.Utf8 | A.Binary;

  bytes(): number {
    return this.offsets[this.length]! + 4 * this.length;
  }

  finish(): A.Data {
    const end = this.offsets[this.length]!;
    const type = this.arrowType();
    const props = { length: this.length, valueOffsets: this.offsets.slice(0, this.length + 1), data: this.data.slice(0, end), ...this.takeValidity() };
    if (type instanceof A.Utf8) return A.makeData({ type, ...props });
    return A.makeData({ type, ...props });
  }
}
