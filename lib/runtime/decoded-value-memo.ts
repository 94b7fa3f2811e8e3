/**
 * Serialize-once for values: remembers the last value a source decoded, with its input bytes
 * and enough of it to tell later whether it is still what those bytes decode to. A sink writing
 * that same value to an internal topic with a serde of the same format (`serde-format.ts`) then
 * reuses the bytes instead of serializing again (selectKey → groupByKey reads the value, but
 * most often does not change it).
 *
 * Unchanged means: a primitive (immutable), or a plain object (prototype `Object.prototype`)
 * whose enumerable properties are primitives and still the same keys, in the same order, with
 * the same values (`Object.is`), and no `toJSON`. Anything else (nested objects, arrays,
 * class instances, Buffers) is not remembered: the sink serializes it as always.
 */
import type { Serde } from '../serde/types.js';

const NONE: unique symbol = Symbol('none');

export class DecodedValueMemo {
  private value: unknown = NONE;
  private bytes: Buffer | null = null;
  /** The input bytes as a range of a chunk (`rememberRange`), viewed only when reused. */
  private chunk: Buffer | null = null;
  private start = 0;
  private end = 0;
  private serde: Serde<unknown> | null = null;
  /** Enumerable keys and their values of a plain object at decode time (reused arrays); -1 for a primitive. */
  private readonly keys: string[] = [];
  private readonly values: unknown[] = [];
  private count = -1;

  /** Called right after `serde` decoded `bytes` to `value` (before any processor saw it). */
  remember(value: unknown, bytes: Buffer, serde: Serde<unknown>): void {
    this.rememberRange(value, bytes, 0, bytes.length, serde);
  }

  /** `remember` with the input bytes `chunk[start, end)`. */
  rememberRange(value: unknown, chunk: Buffer, start: number, end: number, serde: Serde<unknown>): void {
    if (typeof value !== 'object' || value === null) {
      this.count = -1;
    } else {
      if (Object.getPrototypeOf(value) !== Object.prototype) return this.forget();
      const keys = this.keys;
      const values = this.values;
      let n = 0;
      for (const k in value) {
        const v: unknown = (value as Record<string, unknown>)[k];
        if (typeof v === 'object' && v !== null) return this.forget();
        keys[n] = k;
        values[n] = v;
        n++;
      }
      this.count = n;
    }
    this.value = value;
    this.bytes = null;
    this.chunk = chunk;
    this.start = start;
    this.end = end;
    this.serde = serde;
  }

  forget(): void {
    this.value = NONE;
    this.bytes = null;
    this.chunk = null;
    this.count = -1;
  }

  /** The serde that decoded the remembered value (null before any). */
  get decodedBy(): Serde<unknown> | null {
    return this.value === NONE ? null : this.serde;
  }

  /** The input bytes of `value` when it is the remembered value and unchanged; else null. */
  bytesIfUnchanged(value: unknown): Buffer | null {
    if (value !== this.value) return null;
    const count = this.count;
    if (count < 0) return this.inputBytes();
    const obj = value as Record<string, unknown>;
    if (Object.getPrototypeOf(obj) !== Object.prototype || obj.toJSON !== undefined) return null;
    const keys = this.keys;
    const values = this.values;
    let i = 0;
    for (const k in obj) {
      if (i >= count || k !== keys[i] || !Object.is(obj[k], values[i])) return null;
      i++;
    }
    return i === count ? this.inputBytes() : null;
  }

  private inputBytes(): Buffer | null {
    const chunk = this.chunk;
    if (this.bytes === null && chunk !== null) this.bytes = this.start === 0 && this.end === chunk.length ? chunk : chunk.subarray(this.start, this.end);
    return this.bytes;
  }
}
