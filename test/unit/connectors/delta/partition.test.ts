import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HIVE_DEFAULT_PARTITION,
  decodeAddPath,
  encodeAddPath,
  escapePathName,
  partitionDirectory,
  partitionValueString,
  resolveInTable,
  unescapePathName,
} from '../../../../lib/connectors/delta/partition.js';
import { Rejection } from '../../../../lib/connectors/delta/values.js';

describe('partition paths', () => {
  it('Hive-escapes separators and keeps values one segment', () => {
    expect(escapePathName('a/b=c%d:e')).toBe('a%2Fb%3Dc%25d%3Ae');
    expect(partitionDirectory(['p'], { p: '../../etc' })).toBe('p=..%2F..%2Fetc');
    expect(partitionDirectory(['p', 'q'], { p: null, q: 'x' })).toBe(`p=${HIVE_DEFAULT_PARTITION}/q=x`);
    expect(unescapePathName(escapePathName('ü/%=\u0001'))).toBe('ü/%=\u0001');
  });

  it('serializes typed partition values per the Delta spec and refuses empty strings', () => {
    expect(partitionValueString('2024-01-01', 'date')).toBe('2024-01-01');
    expect(partitionValueString(new Date('2024-01-01T01:02:03.004Z'), 'timestamp')).toBe('2024-01-01 01:02:03.004000');
    expect(partitionValueString('1.5', 'decimal(5,2)')).toBe('1.50');
    expect(partitionValueString(7, 'integer')).toBe('7');
    expect(partitionValueString(null, 'string')).toBeNull();
    expect(partitionValueString('', 'string')).toBeInstanceOf(Rejection);
    expect(partitionValueString(1, 'string')).toBeInstanceOf(Rejection);
  });

  it('URI-encodes add paths and refuses paths outside the table', () => {
    const rel = 'p=a%2Fb ü/part-0.parquet';
    expect(encodeAddPath(rel)).toBe('p=a%252Fb%20%C3%BC/part-0.parquet');
    expect(decodeAddPath(encodeAddPath(rel))).toBe(rel);
    expect(resolveInTable('/t', encodeAddPath(rel))).toBe(path.join('/t', rel));
    expect(() => resolveInTable('/t', '../x.parquet')).toThrow(/outside the table/);
    expect(() => resolveInTable('/t', '%2E%2E/x.parquet')).toThrow(/outside the table/);
    expect(() => resolveInTable('/t', '/etc/passwd')).toThrow(/outside the table/);
    expect(() => resolveInTable('/t', 's3://bucket/x.parquet')).toThrow(/absolute URI/);
  });
});
