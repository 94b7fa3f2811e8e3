/**
 * Delta per-file statistics: `{"numRecords":N,"minValues":{…},"maxValues":{…},"nullCount":{…}}`
 * for the first `numIndexedCols` leaf columns (Delta's `delta.dataSkippingNumIndexedCols`,
 * default 32). Values are exact: strings compared in UTF-8 order, decimals and 64-bit integers
 * printed verbatim, timestamps in ISO-8601 UTC with microseconds when present. Where a bound
 * cannot be stated exactly (NaN/±Infinity, very long strings, binary, booleans, nested
 * collections) it is left out, which readers treat as "unknown".
 */
import { RawJson, type ColumnBuilder } from './columns/index.js';

export const DEFAULT_NUM_INDEXED_COLS = 32;

export function statsJson(columns: readonly ColumnBuilder[], numRecords: number, numIndexedCols = DEFAULT_NUM_INDEXED_COLS): string {
  const budget = { left: numIndexedCols < 0 ? Number.MAX_SAFE_INTEGER : numIndexedCols };
  const min: Record<string, unknown> = {};
  const max: Record<string, unknown> = {};
  const nulls: Record<string, unknown> = {};
  for (const c of columns) {
    const s = c.stats(budget);
    if (!s) break;
    if (s.min !== undefined && !isEmptyObject(s.min)) min[c.name] = s.min;
    if (s.max !== undefined && !isEmptyObject(s.max)) max[c.name] = s.max;
    if (s.nullCount !== undefined) nulls[c.name] = s.nullCount;
  }
  return writeJson({ numRecords, minValues: min, maxValues: max, nullCount: nulls });
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !(v instanceof RawJson) && Object.keys(v).length === 0;
}

/** JSON.stringify that splices RawJson verbatim. */
export function writeJson(v: unknown): string {
  if (v instanceof RawJson) return v.text;
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(writeJson).join(',')}]`;
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    if (
      typeof x === 'object' &&
      x !== null &&
      !(x instanceof RawJson) &&
      !Array.isArray(x) &&
      Object.keys(x).length === 0 &&
      k !== 'minValues' &&
      k !== 'maxValues' &&
      k !== 'nullCount'
    )
      continue;
    parts.push(`${JSON.stringify(k)}:${writeJson(x)}`);
  }
  return `{${parts.join(',')}}`;
}
