/**
 * Where a table's files live. A table location is a local directory or `s3://bucket/prefix`;
 * `tableStore(location)` gives the store for it, and every read and write of the log, the
 * checkpoints and the data files goes through it. Paths given to a store are relative to the
 * table root, `/`-separated and already decoded (not the URI-encoded `add.path`).
 *
 * The one operation that makes concurrent writers safe is `putIfAbsent`: it creates a file only
 * if none exists under that name, atomically, and says whether it did (local: temp file + `link`;
 * S3: `PUT` with `If-None-Match: *`, 412 = someone else was first).
 */
import path from 'node:path';
import { TributaryError } from '../../errors.js';
import { LocalTableStore } from './local-store.js';
import { decodeAddPath, resolveInTable } from './partition.js';
import { S3TableStore, isS3Location } from './s3-store.js';

export interface TableStore {
  /** The table location as given (a directory or `s3://bucket/prefix`). */
  readonly location: string;
  /** True for object stores (no directories, no rename). */
  readonly remote: boolean;
  /** The whole file; throws a DELTA error with `context.missing = true` when absent. */
  read(rel: string): Promise<Uint8Array>;
  /** The file, or undefined when absent. */
  readIfExists(rel: string): Promise<Uint8Array | undefined>;
  /** Writes (replacing) a file; readers see the old or the new content, never a part. */
  write(rel: string, data: Uint8Array | string): Promise<void>;
  /** Creates the file only if absent; false when it already existed. */
  putIfAbsent(rel: string, data: Uint8Array | string): Promise<boolean>;
  /** Names (not paths) of the files directly under `relDir`; [] when it does not exist. */
  list(relDir: string): Promise<string[]>;
  /** Names of files directly under `relDir` that sort after `after` (a name). Default: `list` + filter. */
  listAfter?(relDir: string, after: string): Promise<string[]>;
  delete(rel: string): Promise<void>;
  /** Makes sure the table root can hold files (mkdir locally; nothing on S3). */
  prepare(): Promise<void>;
  /** A printable name of a file in the store (never any credential). */
  describe(rel: string): string;
}

const stores = new Map<string, TableStore>();

/** The store for a table location (one instance per location and process). */
export function tableStore(location: string): TableStore {
  let s = stores.get(location);
  if (!s) {
    s = isS3Location(location) ? new S3TableStore(location) : new LocalTableStore(location);
    stores.set(location, s);
  }
  return s;
}

/** Forgets cached stores (tests that change the S3 configuration between tables). */
export function clearTableStores(): void {
  stores.clear();
}

/**
 * The decoded, table-relative path of an `add.path`, refusing absolute paths, URIs with a scheme
 * and anything that would leave the table root (`..`).
 */
export function relativeDataPath(location: string, addPath: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(addPath)) {
    throw new TributaryError(`file path ${JSON.stringify(addPath)} is an absolute URI; only relative paths are supported`, {
      code: 'DELTA',
      context: { table: location },
    });
  }
  if (!isS3Location(location)) return path.relative(path.resolve(location), resolveInTable(location, addPath)).split(path.sep).join('/');
  let rel: string;
  try {
    rel = decodeAddPath(addPath);
  } catch (err) {
    throw new TributaryError(`file path ${JSON.stringify(addPath)} is not a valid URI path`, { code: 'DELTA', cause: err, context: { table: location } });
  }
  const norm = path.posix.normalize(rel);
  if (rel.startsWith('/') || norm === '.' || norm === '..' || norm.startsWith('../')) {
    throw new TributaryError(`file path ${JSON.stringify(addPath)} is outside the table directory ${location}`, {
      code: 'DELTA',
      context: { table: location },
    });
  }
  return norm;
}

/** The bytes of a data file named by its `add.path`. */
export function readDataFile(location: string, addPath: string): Promise<Uint8Array> {
  return tableStore(location).read(relativeDataPath(location, addPath));
}

/** Writes a data file named by its `add.path`. */
export function writeDataFile(location: string, addPath: string, data: Uint8Array): Promise<void> {
  return tableStore(location).write(relativeDataPath(location, addPath), data);
}

/** Deletes a data file named by its `add.path` (absent is fine). */
export function deleteDataFile(location: string, addPath: string): Promise<void> {
  return tableStore(location).delete(relativeDataPath(location, addPath));
}
