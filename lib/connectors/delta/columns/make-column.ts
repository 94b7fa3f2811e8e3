/** Picks the builder for a Delta type: one builder class per file in this directory. */
import * as A from 'apache-arrow';
import { decimalSpec } from '../schema.js';
import type { DeltaDataType } from '../types.js';
import { Rejection, describe, formatDate, formatTimestampIso, toDateDays, toIntInRange, toLong, toTimestampMicros } from '../values.js';
import { BinaryColumn } from './binary-column.js';
import { BoolColumn } from './bool-column.js';
import { RawJson, type ColumnBuilder } from './column-builder.js';
import { DecimalColumn } from './decimal-column.js';
import { ListColumn } from './list-column.js';
import { LongColumn, type Long } from './long-column.js';
import { MapColumn } from './map-column.js';
import { NumberColumn } from './number-column.js';
import { StringColumn } from './string-column.js';
import { StructColumn } from './struct-column.js';

/** Makes the builder of a (child) column; nested builders take it to build their children. */
export type ColumnFactory = (name: string, type: DeltaDataType, nullable: boolean) => ColumnBuilder;

const same = (v: number): number => v;
const longStat = (v: Long): unknown => (typeof v === 'bigint' ? new RawJson(v.toString()) : v);

function toDouble(v: unknown): number | Rejection {
  return typeof v === 'number' ? v : new Rejection(`expected a number, got ${describe(v)}`);
}

function toFloat(v: unknown): number | Rejection {
  if (typeof v !== 'number') return new Rejection(`expected a number, got ${describe(v)}`);
  const f = Math.fround(v);
  if (f !== v && !Number.isNaN(v)) return new Rejection(`${v} is not exactly representable as a float (nearest ${f})`);
  return f;
}

/** A builder for one column of the given Delta type. */
export function makeColumn(name: string, type: DeltaDataType, nullable: boolean): ColumnBuilder {
  if (typeof type !== 'string') {
    if (type.type === 'struct') return new StructColumn(name, type.fields, nullable, makeColumn);
    if (type.type === 'array') return new ListColumn(name, type, nullable, makeColumn);
    return new MapColumn(name, type, nullable, makeColumn);
  }
  switch (type) {
    case 'string':
      return new StringColumn(name, type, nullable);
    case 'binary':
      return new BinaryColumn(name, type, nullable);
    case 'boolean':
      return new BoolColumn(name, type, nullable);
    case 'long':
      return new LongColumn(name, type, nullable, () => new A.Int64(), toLong, longStat);
    case 'timestamp':
      return new LongColumn(
        name,
        type,
        nullable,
        () => new A.TimestampMicrosecond('UTC'),
        toTimestampMicros,
        (v) => formatTimestampIso(v),
      );
    case 'integer':
      return new NumberColumn(
        name,
        type,
        nullable,
        Int32Array,
        () => new A.Int32(),
        (v) => toIntInRange(v, -2147483648, 2147483647, 'integer'),
        same,
      );
    case 'short':
      return new NumberColumn(
        name,
        type,
        nullable,
        Int16Array,
        () => new A.Int16(),
        (v) => toIntInRange(v, -32768, 32767, 'short'),
        same,
      );
    case 'byte':
      return new NumberColumn(
        name,
        type,
        nullable,
        Int8Array,
        () => new A.Int8(),
        (v) => toIntInRange(v, -128, 127, 'byte'),
        same,
      );
    case 'double':
      return new NumberColumn(name, type, nullable, Float64Array, () => new A.Float64(), toDouble, same);
    case 'float':
      return new NumberColumn(name, type, nullable, Float32Array, () => new A.Float32(), toFloat, same);
    case 'date':
      return new NumberColumn(name, type, nullable, Int32Array, () => new A.DateDay(), toDateDays, formatDate);
  }
  const d = decimalSpec(type);
  if (d) return new DecimalColumn(name, type, nullable, d.precision, d.scale);
  throw new RangeError(`unsupported Delta type ${type}`);
}
