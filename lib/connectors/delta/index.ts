/**
 * `tributary/connectors/delta`: write Delta Lake tables exactly once from Kafka, and maintain them.
 *
 * - `deltaSink` — ends a topology in a Delta table, exactly once: `stream.process(deltaSink({...}))`.
 * - `deltaAggregateSink` — per-key totals kept current in a small Delta table (gold), exactly once.
 * - `runDeltaStreams` — runs a topology that starts from Delta tables (`builder.deltaStream`), no Kafka.
 * - `DeltaSourceReader` — a table's rows in version order from a position, tailing the log.
 * - `configureS3` — endpoint, region, credentials for `s3://` table locations.
 * - `DeltaSink` — exactly-once appends tagged with Kafka positions (txn actions per partition).
 * - `DeltaTableWriter` — schema-checked, partitioned, buffered appends committed atomically.
 * - `deltaSchemaFromZod` / `deltaType` — the table schema from a zod object schema.
 * - `loadSnapshot`, `readTable`, `history`, `lastCommittedOffsets` — reading the log and the data.
 * - `optimize`, `vacuum` — compaction and retention-guarded cleanup; `describeTable` — history and row counts.
 */
export { deltaSink } from './topology-sink.js';
export { deltaAggregateSink } from './aggregate-sink.js';
export type { DeltaAggregateSinkOptions } from './aggregate-sink.js';
export { runDeltaStreams, packOffset, unpackOffset } from './stream-runner.js';
export type { DeltaStreamsConfig, DeltaStreamsResult } from './stream-runner.js';
export { DeltaSourceReader, comparePositions } from './source-reader.js';
export type { DeltaSourceBatch, DeltaSourceOptions, DeltaSourcePosition, DeltaSourceSegment } from './source-reader.js';
export { configureS3 } from './s3-store.js';
export type { S3StorageOptions } from './s3-store.js';
export type { DeltaSinkCommitInfo, DeltaSinkProcessorOptions } from './topology-sink.js';
export { DeltaSink, lastCommittedOffsets, txnAppId } from './sink.js';
export type { DeltaSinkOptions, SinkAppendResult, SourcePosition } from './sink.js';
export { DeltaTableWriter } from './table-writer.js';
export type { AppendResult, DeltaWriterOptions, WriterCommitOptions, WriterCommitResult } from './table-writer.js';
export { deltaSchemaFromZod } from './zod-schema.js';
export { deltaType } from './delta-type.js';
export { field, struct, parseSchemaString, schemaToString } from './schema.js';
export { loadSnapshot, history } from './snapshot.js';
export type { Snapshot, HistoryEntry } from './snapshot.js';
export { readTable, rowToJsonForm } from './read.js';
export type { TableContents } from './read.js';
export { optimize, vacuum } from './maintenance.js';
export { describeTable } from './inspect.js';
export type { PartitionSummary, TableSummary, VersionSummary } from './inspect.js';
export type { OptimizeOptions, OptimizeResult, VacuumOptions, VacuumResult } from './maintenance.js';
export type { ParquetCodec } from './parquet.js';
export type { CommitResult } from './commit.js';
export type {
  AddAction,
  DeltaArrayType,
  DeltaDataType,
  DeltaMapType,
  DeltaPrimitiveType,
  DeltaStructField,
  DeltaStructType,
  MetaDataAction,
  ProtocolAction,
  RemoveAction,
  TxnAction,
} from './types.js';
