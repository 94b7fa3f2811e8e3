/** Column builders of the Parquet writer: the typed `ColumnBuilder` interface and `makeColumn`, which picks one per Delta type. */
export { ColumnBuilder, RawJson, type ColumnStats, type StatsBudget } from './column-builder.js';
export { makeColumn, type ColumnFactory } from './make-column.js';
export { StructColumn } from './struct-column.js';
