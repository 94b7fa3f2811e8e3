/**
 * Partition values and directories. A partition value is serialized as Delta specifies
 * (strings as-is, dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS.ffffff`, numbers in
 * decimal) and the directory is `<col>=<value>` with Hive escaping, `__HIVE_DEFAULT_PARTITION__`
 * for null. Escaping turns `/`, `\`, `%`, `=`, `:` and control characters into `%XX`, so a
 * value is always one path segment starting with `<col>=`: `..` or `/etc` cannot leave the table.
 * An empty string is refused, because Delta reads an empty partition value as null; so is the
 * literal `__HIVE_DEFAULT_PARTITION__`, whose directory would be null's (rows of the two would
 * share a buffer and a file).
 */
import path from 'node:path';
import { TributaryError } from '../../errors.js';
import { decimalSpec } from './schema.js';
import type { DeltaDataType } from './types.js';
import {
  Rejection,
  describe,
  formatDate,
  formatDecimal,
  formatTimestampPartition,
  toDateDays,
  toDecimalUnscaled,
  toIntInRange,
  toLong,
  toTimestampMicros,
} from './values.js';

export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

// Spark's ExternalCatalogUtils.charToEscape: control chars, " # % ' * / : = ? \ DEL { [ ] ^
const ESCAPE = new Set<number>([
  ...Array.from({ length: 0x20 }, (_, i) => i),
  0x22,
  0x23,
  0x25,
  0x27,
  0x2a,
  0x2f,
  0x3a,
  0x3d,
  0x3f,
  0x5c,
  0x7f,
  0x7b,
  0x5b,
  0x5d,
  0x5e,
]);

export function escapePathName(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += ESCAPE.has(c) ? `%${c.toString(16).toUpperCase().padStart(2, '0')}` : s[i];
  }
  return out;
}

export function unescapePathName(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Serializes one partition value per Delta's rules; null → null. */
export function partitionValueString(v: unknown, type: DeltaDataType): string | null | Rejection {
  if (v === null || v === undefined) return null;
  let out: string | Rejection;
  switch (type) {
    case 'string':
      out = typeof v === 'string' ? v : new Rejection(`expected a string, got ${describe(v)}`);
      break;
    case 'long': {
      const x = toLong(v);
      out = x instanceof Rejection ? x : String(x);
      break;
    }
    case 'integer':
    case 'short':
    case 'byte': {
      const lim = type === 'integer' ? 2147483647 : type === 'short' ? 32767 : 127;
      const x = toIntInRange(v, -lim - 1, lim, type);
      out = x instanceof Rejection ? x : String(x);
      break;
    }
    case 'boolean':
      out = typeof v === 'boolean' ? String(v) : new Rejection(`expected a boolean, got ${describe(v)}`);
      break;
    case 'date': {
      const d = toDateDays(v);
      out = d instanceof Rejection ? d : formatDate(d);
      break;
    }
    case 'timestamp': {
      const t = toTimestampMicros(v);
      out = t instanceof Rejection ? t : formatTimestampPartition(t);
      break;
    }
    default: {
      const d = typeof type === 'string' ? decimalSpec(type) : undefined;
      if (!d) return new Rejection(`type ${JSON.stringify(type)} cannot be a partition column`);
      const x = toDecimalUnscaled(v, d.precision, d.scale);
      out = x instanceof Rejection ? x : formatDecimal(x, d.scale);
    }
  }
  if (out === '') return new Rejection('is an empty string; Delta reads an empty partition value as null, so it is refused');
  if (out === HIVE_DEFAULT_PARTITION) {
    return new Rejection(
      `is the literal "${HIVE_DEFAULT_PARTITION}", the directory name Delta and Hive use for null; it is refused so that it cannot be confused with null`,
    );
  }
  return out;
}

/** Parses a serialized partition value back into the writer's value form. */
export function parsePartitionValue(s: string | null | undefined, type: DeltaDataType): unknown {
  if (s === null || s === undefined || s === '') return null;
  switch (type) {
    case 'string':
      return s;
    case 'long': {
      const b = BigInt(s);
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    case 'integer':
    case 'short':
    case 'byte':
      return Number(s);
    case 'double':
    case 'float':
      return Number(s);
    case 'boolean':
      return s === 'true';
    case 'date':
      return s;
    case 'timestamp': {
      const iso = s.includes('T') ? s : s.replace(' ', 'T');
      const withZone = /Z$|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`;
      const t = toTimestampMicros(withZone);
      if (t instanceof Rejection) throw new TributaryError(`bad timestamp partition value ${JSON.stringify(s)}`, { code: 'DELTA' });
      return BigInt(t);
    }
    default:
      return s;
  }
}

/** `col=value/col2=value2` (no leading or trailing slash), Hive-escaped. */
export function partitionDirectory(columns: readonly string[], values: Readonly<Record<string, string | null>>): string {
  return columns
    .map((c) => `${escapePathName(c)}=${values[c] === null || values[c] === undefined ? HIVE_DEFAULT_PARTITION : escapePathName(values[c]!)}`)
    .join('/');
}

/** Encodes a relative file path for `add.path` (RFC 3986 per segment, `=` kept readable). */
export function encodeAddPath(relative: string): string {
  return relative
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/%3D/g, '='))
    .join('/');
}

export function decodeAddPath(p: string): string {
  return p
    .split('/')
    .map((seg) => decodeURIComponent(seg))
    .join('/');
}

/**
 * Resolves an `add.path` against the table root and refuses anything that is absolute, a URI
 * with a scheme, or lands outside the table directory.
 */
export function resolveInTable(tableDir: string, addPath: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(addPath)) {
    throw new TributaryError(`file path ${JSON.stringify(addPath)} is an absolute URI; only relative paths are supported`, { code: 'DELTA' });
  }
  const rel = decodeAddPath(addPath);
  const root = path.resolve(tableDir);
  const full = path.resolve(root, rel);
  if (path.isAbsolute(rel) || !(full === root || full.startsWith(root + path.sep)) || full === root) {
    throw new TributaryError(`file path ${JSON.stringify(addPath)} is outside the table directory ${root}`, { code: 'DELTA' });
  }
  return full;
}
