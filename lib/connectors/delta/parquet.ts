/**
 * Parquet encoding through parquet-wasm (arrow-rs compiled to WebAssembly). The Arrow batch goes
 * over as an IPC stream; the result is a complete Parquet file in memory. Compression defaults to
 * zstd (parquet-wasm itself would write uncompressed unless told).
 */
import * as A from 'apache-arrow';
import * as PW from 'parquet-wasm';
import { TributaryError } from '../../errors.js';

/** Compression codecs the Parquet writer supports. */
export type ParquetCodec = 'zstd' | 'snappy' | 'gzip' | 'lz4_raw' | 'uncompressed';

const CODECS: Record<ParquetCodec, PW.Compression> = {
  zstd: PW.Compression.ZSTD,
  snappy: PW.Compression.SNAPPY,
  gzip: PW.Compression.GZIP,
  lz4_raw: PW.Compression.LZ4_RAW,
  uncompressed: PW.Compression.UNCOMPRESSED,
};

export interface ParquetOptions {
  readonly codec?: ParquetCodec;
  /** Rows per row group (default 128Ki). */
  readonly rowGroupSize?: number;
}

/** The short codec name used in data file names (`part-…-c000.zstd.parquet`). */
export function codecSuffix(codec: ParquetCodec): string {
  return codec === 'uncompressed' ? '' : `.${codec}`;
}

const propsCache = new Map<string, PW.WriterProperties>();

function writerProperties(o: ParquetOptions): PW.WriterProperties {
  const codec = o.codec ?? 'zstd';
  const rg = o.rowGroupSize ?? 131072;
  const key = `${codec}/${rg}`;
  let p = propsCache.get(key);
  if (!p) {
    if (!(codec in CODECS)) throw new TributaryError(`unknown Parquet codec "${codec}"`, { code: 'CONFIG' });
    p = new PW.WriterPropertiesBuilder()
      .setCompression(CODECS[codec])
      .setMaxRowGroupSize(rg)
      .setStatisticsEnabled(PW.EnabledStatistics.Chunk)
      .setCreatedBy('tributary delta writer (parquet-wasm)')
      .build();
    propsCache.set(key, p);
  }
  return p;
}

/** Encodes record batches (one schema) as one Parquet file. */
export function encodeParquet(batches: A.RecordBatch | readonly A.RecordBatch[], options: ParquetOptions = {}): Uint8Array {
  const list = Array.isArray(batches) ? batches : [batches as A.RecordBatch];
  const ipc = A.tableToIPC(new A.Table(list), 'stream');
  try {
    // writeParquet consumes (and frees) the wasm table; the properties are reused.
    return PW.writeParquet(PW.Table.fromIPCStream(ipc), writerProperties(options));
  } catch (err) {
    throw new TributaryError(`Parquet encoding failed: ${String(err)}`, { code: 'DELTA', cause: err });
  }
}

/** Decodes a Parquet file into an Arrow JS table (all columns). */
export function decodeParquet(bytes: Uint8Array): A.Table {
  let t: PW.Table | undefined;
  try {
    t = PW.readParquet(bytes);
    return A.tableFromIPC(t.intoIPCStream());
  } catch (err) {
    throw new TributaryError(`Parquet decoding failed: ${String(err)}`, { code: 'DELTA', cause: err });
  }
}
