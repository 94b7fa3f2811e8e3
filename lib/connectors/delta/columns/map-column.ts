/** Builder of map columns: offsets over a `key_value` struct of entries; a row is a Map or a plain object (no min/max in stats). */
import * as A from 'apache-arrow';
import type { DeltaDataType, DeltaMapType } from '../types.js';
import { Rejection, describe } from '../values.js';
import { ColumnBuilder, grow, type ColumnStats, type Null, type StatsBudget } from './column-builder.js';
import type { ColumnFactory } from './make-column.js';
import { isPlainObject, StructColumn, type PreparedStruct } from './struct-column.js';

export class MapColumn extends ColumnBuilder<readonly (PreparedStruct | Null)[]> {
  private readonly entries: StructColumn;
  private offsets = new Int32Array(1025);
  private readonly valueType: DeltaDataType;

  constructor(name: string, type: DeltaMapType, nullable: boolean, make: ColumnFactory) {
    super(name, type, nullable);
    this.valueType = type.valueType;
    this.entries = new StructColumn(
      'key_value',
      [
        { name: 'key', type: type.keyType, nullable: false, metadata: {} },
        { name: 'value', type: type.valueType, nullable: type.valueContainsNull, metadata: {} },
      ],
      false,
      make,
    );
  }

  protected prepare(v: unknown): readonly (PreparedStruct | Null)[] | Rejection {
    let pairs: [unknown, unknown][];
    if (v instanceof Map) pairs = [...v.entries()];
    else if (isPlainObject(v)) pairs = Object.entries(v);
    else
      return new Rejection(
        `expected a Map or an object for map<string,${typeof this.valueType === 'string' ? this.valueType : this.valueType.type}>, got ${describe(v)}`,
      );
    const out: (PreparedStruct | Null)[] = [];
    for (const [k, val] of pairs) {
      const p = this.entries.prep({ key: k, value: val });
      if (p instanceof Rejection) return new Rejection(`[${JSON.stringify(k)}]${p.reason}`);
      out.push(p);
    }
    return out;
  }

  protected pushValue(entries: readonly (PreparedStruct | Null)[]): void {
    for (const e of entries) this.entries.push(e);
    this.setEnd(this.entries.length);
  }

  private setEnd(end: number): void {
    const i = this.length;
    if (i + 2 > this.offsets.length) this.offsets = grow(this.offsets, i + 2, Int32Array);
    this.offsets[i + 1] = end;
  }

  protected pushPlaceholder(): void {
    this.setEnd(this.entries.length);
  }

  protected resetValues(): void {
    this.entries.reset();
  }

  arrowType(): A.Map_ {
    return new A.Map_(new A.Field('key_value', this.entries.arrowType(), false));
  }

  bytes(): number {
    return this.length * 4 + this.entries.bytes();
  }

  finish(): A.Data {
    return A.makeData({
      type: this.arrowType(),
      length: this.length,
      valueOffsets: this.offsets.slice(0, this.length + 1),
      child: this.entries.finish(),
      ...this.takeValidity(),
    });
  }

  stats(budget: StatsBudget): ColumnStats | undefined {
    return this.nullCountStats(budget);
  }
}
