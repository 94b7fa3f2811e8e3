/**
 * The typed column-builder interface: strict per-value checks, growable typed buffers, exact
 * min/max/null counts, and conversion to Arrow `Data` with freshly copied buffers (no two columns
 * share memory). A row is first *prepared* by every column (`prep`: checks + conversion to the
 * builder's prepared type `P`, no mutation) and only then *pushed*, so a rejected row leaves
 * buffers and stats untouched. One builder per file in this directory; `makeColumn` picks one.
 */
import * as A from 'apache-arrow';
import type { DeltaDataType } from '../types.js';
import { Rejection } from '../values.js';

/** JSON text spliced verbatim into stats (exact decimals and 64-bit integers). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Per-column file statistics in Delta's stats JSON shape; undefined members are omitted. */
export interface ColumnStats {
  readonly min?: unknown;
  readonly max?: unknown;
  readonly nullCount?: unknown;
}

/** A prepared null (the column is nullable and the value was null or undefined). */
export const NULL: unique symbol = Symbol('null');
export type Null = typeof NULL;

export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A typed array whose `set` takes its own kind. */
interface Growable<T> {
  readonly length: number;
  set(array: T, offset?: number): void;
}

/** `arr` when it holds `need` elements, else a copy at least twice as long. */
export function grow<T extends Growable<T>>(arr: T, need: number, ctor: new (n: number) => T): T {
  if (need <= arr.length) return arr;
  let n = arr.length * 2;
  while (n < need) n *= 2;
  const out = new ctor(n);
  out.set(arr);
  return out;
}

/** Stats budget: how many leaf columns may still report min/max (Delta's dataSkippingNumIndexedCols). */
export interface StatsBudget {
  left: number;
}

/**
 * One column of a Parquet file being built. `P` is what `prep` turns a row value into and `push`
 * takes; a parent (struct, list, map) holds its children as `ColumnBuilder` (their `P` opaque).
 */
export abstract class ColumnBuilder<P = unknown> {
  length = 0;
  /** Arrow nulls (validity bitmap). */
  protected nulls = 0;
  /** Nulls as stats count them: includes slots under a null parent. */
  protected statNulls = 0;
  private validity: Uint8Array<ArrayBuffer> | null = null;

  constructor(
    readonly name: string,
    readonly type: DeltaDataType,
    readonly nullable: boolean,
  ) {}

  /** Converts a value (null/undefined allowed) into what `push` takes, or a Rejection. Never mutates. */
  prep(v: unknown): P | Null | Rejection {
    if (v === null || v === undefined) return this.nullable ? NULL : new Rejection('is null but the column is NOT NULL');
    return this.prepare(v);
  }

  /** Appends a value `prep` returned (not a Rejection). */
  push(p: P | Null): void {
    if (p === NULL) {
      this.pushAbsent();
      return;
    }
    if (this.validity) this.setValid(this.length, true);
    this.pushValue(p);
    this.length++;
  }

  /** A null here, or (for NOT NULL children of a null struct) a placeholder that is not a value. */
  pushAbsent(): void {
    if (this.nullable) {
      if (!this.validity) {
        this.validity = new Uint8Array(Math.max(64, (this.length >> 3) * 2 + 8)).fill(0xff);
      }
      this.setValid(this.length, false);
      this.nulls++;
    } else if (this.validity) {
      this.setValid(this.length, true);
    }
    this.statNulls++;
    this.pushPlaceholder();
    this.length++;
  }

  private setValid(i: number, valid: boolean): void {
    this.validity = grow(this.validity!, (i >> 3) + 1, Uint8Array);
    if (valid) this.validity[i >> 3]! |= 1 << (i & 7);
    else this.validity[i >> 3]! &= ~(1 << (i & 7));
  }

  protected takeValidity(): { nullBitmap?: Uint8Array; nullCount: number } {
    if (!this.validity || this.nulls === 0) return { nullCount: 0 };
    return { nullBitmap: this.validity.slice(0, (this.length + 7) >> 3), nullCount: this.nulls };
  }

  arrowField(): A.Field {
    return new A.Field(this.name, this.arrowType(), this.nullable);
  }

  /** Clears values and stats, keeping capacity. */
  reset(): void {
    this.length = 0;
    this.nulls = 0;
    this.statNulls = 0;
    this.validity = null;
    this.resetValues();
  }

  /** Stats without min/max (types Delta does not skip on), or undefined beyond the leaf budget. */
  protected nullCountStats(budget: StatsBudget): ColumnStats | undefined {
    if (budget.left <= 0) return undefined;
    budget.left--;
    return { nullCount: this.statNulls };
  }

  /** Builds Arrow data of everything pushed since the last reset. */
  abstract finish(): A.Data;
  abstract arrowType(): A.DataType;
  abstract bytes(): number;
  /** Stats of this column, or undefined beyond the leaf budget. */
  abstract stats(budget: StatsBudget): ColumnStats | undefined;
  protected abstract prepare(v: unknown): P | Rejection;
  protected abstract pushValue(p: P): void;
  protected abstract pushPlaceholder(): void;
  protected abstract resetValues(): void;
}
