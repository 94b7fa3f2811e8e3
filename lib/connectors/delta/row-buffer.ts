/**
 * Buffers rows of one data schema (partition columns excluded) into column builders and turns
 * them into one Arrow record batch per data file. Rows are checked completely before any
 * column is touched; a misfit row yields a reason and leaves the buffer as it was.
 */
import * as A from 'apache-arrow';
import { makeColumn, type ColumnBuilder } from './columns/index.js';
import { statsJson } from './stats.js';
import type { DeltaStructField } from './types.js';
import { Rejection, describe } from './values.js';

export class RowBuffer {
  readonly columns: ColumnBuilder[];
  private readonly known: Set<string>;
  private readonly keys: readonly string[];
  private readonly scratch: unknown[];
  /** The keys of the last rows in their order (all known): a row of the same shape is checked by identity, not by set lookups. */
  private readonly order: string[] = [];

  /**
   * `ignored` names (the partition columns) may appear in rows and are not written to files.
   * `keys[i]` is the row property read for `fields[i]` when it is spelled differently from the
   * column (a writer's `Amount` for the table's `amount`); default: the field names.
   */
  constructor(
    readonly fields: readonly DeltaStructField[],
    ignored: readonly string[] = [],
    keys?: readonly string[],
  ) {
    this.columns = fields.map((f) => makeColumn(f.name, f.type, f.nullable));
    this.keys = keys ?? fields.map((f) => f.name);
    this.known = new Set([...this.keys, ...ignored]);
    this.scratch = new Array(this.columns.length);
  }

  private rows = 0;

  get length(): number {
    return this.rows;
  }

  /** Checks a row against every column; returns undefined when it fits, else the reason. */
  check(row: unknown): string | undefined {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return `a row must be an object, got ${describe(row)}`;
    const r = row as Record<string, unknown>;
    let j = 0;
    for (const k in r) {
      if (this.order[j] !== k) {
        if (this.known.has(k)) this.order[j] = k;
        else if (r[k] !== undefined) return `field "${k}" is not in the table schema`;
      }
      j++;
    }
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i]!;
      const p = c.prep(r[this.keys[i]!]);
      if (p instanceof Rejection) return `field "${this.keys[i]!}"${p.reason.startsWith('.') || p.reason.startsWith('[') ? '' : ' '}${p.reason}`;
      this.scratch[i] = p;
    }
    return undefined;
  }

  /** Appends the row last passed to a successful `check`. */
  pushChecked(): void {
    for (let i = 0; i < this.columns.length; i++) this.columns[i]!.push(this.scratch[i]);
    this.rows++;
  }

  /** check + pushChecked. */
  append(row: unknown): string | undefined {
    const reason = this.check(row);
    if (reason === undefined) this.pushChecked();
    return reason;
  }

  bytes(): number {
    let n = 0;
    for (const c of this.columns) n += c.bytes();
    return n;
  }

  arrowSchema(): A.Schema {
    return new A.Schema(this.columns.map((c) => c.arrowField()));
  }

  /** Stats JSON of the buffered rows. Call before `finish`. */
  stats(numIndexedCols?: number): string {
    return statsJson(this.columns, this.length, numIndexedCols);
  }

  /** The buffered rows as one record batch; the buffer is empty afterwards. */
  finish(): A.RecordBatch {
    const schema = this.arrowSchema();
    const length = this.length;
    const children = this.columns.map((c) => c.finish());
    for (const c of this.columns) c.reset();
    this.rows = 0;
    return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length, children }));
  }

  clear(): void {
    for (const c of this.columns) c.reset();
    this.rows = 0;
  }
}
