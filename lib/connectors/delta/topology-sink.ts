/**
 * `deltaSink(options)`: ends a topology in a Delta table, exactly once —
 * `stream.process(deltaSink({ table, schema, partitionBy: ['event_date'] }))`.
 *
 * A terminal processor (it forwards nothing). Per task it holds one `DeltaSink`; records are
 * turned into rows (`toRow`, default: the value), checked against the schema and buffered
 * (synchronously). It joins the task's commit through the runtime's commit-participant hook:
 *
 * ```text
 *   task assigned ─▶ open: load the table, read txn versions of <app>-<topic>-<partition>
 *   record ─▶ toRow ─▶ offset ≤ txn version? ──yes──▶ skip (already in the table; misfits still rejected)
 *                         │ no
 *                         ▼
 *               fits the schema? ──no──▶ RecordRejectedError ─▶ runtime dead-letter path (with the reason)
 *                         │ yes
 *                         ▼
 *                 buffered (Arrow builders per partition directory)
 *   commitDue: rows buffered for commitIntervalMs, or no new record for idleCommitMs, or
 *     commitRows / commitBytes reached (nothing buffered: always due, so the task's other work
 *     is never held back)
 *   task commit: flush stores ─▶ Delta commit (files + txn per source partition, one version)
 *                             ─▶ Kafka: DLQ/outputs, sendOffsets, commitTransaction
 *   Delta fenced (our appId committed by another writer) ─▶ TaskMigratedError: close dirty, rejoin
 * ```
 *
 * The rule (docs/delta.md, "Exactly once in a topology"): the Delta commit always precedes the
 * Kafka commit of the same task, and every Kafka commit of the task that carries sink work is
 * preceded by a Delta commit that holds all of it. A task with a Delta sink therefore commits on
 * the sink's schedule (seconds), not every `commit.interval.ms`; its Kafka transaction stays open
 * that long, so keep `commitIntervalMs` well below the transaction timeout (60 s default).
 * Records must carry a source position: rows emitted from a punctuation or a store-cache flush
 * are refused (disable caching upstream in the same sub-topology).
 */
import path from 'node:path';
import { ConfigError, RecordRejectedError, TaskMigratedError, TributaryError } from '../../errors.js';
import type { CommitParticipantMetrics, Processor, ProcessorContext, ProcessorSupplier, Record, RecordMetadata } from '../../topology/processor.js';
import { LatencyHistogram } from '../../runtime/latency-histogram.js';
import { DeltaSink, type SourcePosition } from './sink.js';
import type { DeltaWriterOptions } from './table-writer.js';

/**
 * Options of `deltaSink` (a processor writing a stream into a Delta table inside the task commit):
 * table, schema, how a record becomes a row, file size and pacing.
 */
export interface DeltaSinkProcessorOptions<K = unknown, V = unknown> extends Omit<DeltaWriterOptions, 'tableDir'> {
  /** Table directory (created with the schema if it does not exist). */
  readonly table?: string;
  /** The same as `table` (the writer's name for it); give one of them. */
  readonly tableDir?: string;
  /** The row for a record; default: the record value, which must be an object. */
  readonly toRow?: (record: Record<K, V>, source: RecordMetadata) => globalThis.Record<string, unknown>;
  /**
   * Commit the table (and with it the task's Kafka transaction) once the oldest buffered row is
   * this old. Default 10 000 ms. Must stay below the task producer's transaction timeout.
   */
  readonly commitIntervalMs?: number;
  /** ... or once a task buffers this many rows. Default 1 000 000. */
  readonly commitRows?: number;
  /** ... or this many bytes of Arrow buffers and encoded files. Default 256 MiB. */
  readonly commitBytes?: number;
  /**
   * ... or once no record reached the sink for this long while rows are buffered (the end of a
   * burst becomes visible without waiting for the full interval). Default min(1000, commitIntervalMs).
   */
  readonly idleCommitMs?: number;
  /** Called after every Delta commit of a task, before its Kafka commit (metrics, tests). */
  readonly onCommit?: (info: DeltaSinkCommitInfo) => void;
}

/** What one Delta sink commit wrote: table, task, version, files, rows, bytes and the input positions recorded with them. */
export interface DeltaSinkCommitInfo {
  readonly table: string;
  readonly taskId: string;
  readonly version: number;
  readonly files: number;
  readonly rows: number;
  readonly bytes: number;
  /** Last offset per source partition recorded as txn in this version. */
  readonly positions: readonly SourcePosition[];
}

const DEFAULT_COMMIT_INTERVAL_MS = 10_000;
const MAX_COMMIT_INTERVAL_MS = 50_000;

/** Table+task pairs open in this process: two sinks of one task on one table would share appIds. */
const openSinks = new Set<string>();

/** A processor supplier that writes every record it receives to a Delta table (see module doc). */
export function deltaSink<K = unknown, V = unknown>(options: DeltaSinkProcessorOptions<K, V>): ProcessorSupplier<K, V, never, never> {
  const table = options.table ?? options.tableDir;
  if (!table) throw new ConfigError('deltaSink needs a table directory (`table`)');
  if (options.table !== undefined && options.tableDir !== undefined && options.table !== options.tableDir) {
    throw new ConfigError(`deltaSink: table (${options.table}) and tableDir (${options.tableDir}) disagree; give one`);
  }
  const interval = options.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS;
  if (!(interval >= 0 && interval <= MAX_COMMIT_INTERVAL_MS)) {
    throw new ConfigError(
      `deltaSink(${table}): commitIntervalMs must be within [0, ${MAX_COMMIT_INTERVAL_MS}] (the task's Kafka transaction stays open that long), got ${interval}`,
    );
  }
  return () => new DeltaSinkProcessor(options, table, interval);
}

class DeltaSinkProcessor<K, V> implements Processor<K, V, never, never> {
  private context!: ProcessorContext<never, never>;
  private sink: DeltaSink | null = null;
  private registryKey = '';
  /** Runtime-clock time the first record reached the sink since the last commit, -1 if none. */
  private since = -1;
  /** Records that reached the sink since the last commit, and that count at the last `commitDue`. */
  private seen = 0;
  private seenAtCheck = 0;
  private quietSince = -1;
  private readonly idleMs: number;
  private readonly toRow: (record: Record<K, V>, source: RecordMetadata) => globalThis.Record<string, unknown>;
  private readonly maxRows: number;
  private readonly maxBytes: number;
  /** What this task's sink committed (read by the metrics endpoint). */
  private readonly written = { commits: 0, rows: 0, files: 0, bytes: 0, lastCommitAtMs: undefined as number | undefined };
  private readonly commitLatency = new LatencyHistogram();

  constructor(
    private readonly options: DeltaSinkProcessorOptions<K, V>,
    private readonly table: string,
    private readonly intervalMs: number,
  ) {
    this.toRow = options.toRow ?? ((r) => r.value as globalThis.Record<string, unknown>);
    this.maxRows = options.commitRows ?? 1_000_000;
    this.maxBytes = options.commitBytes ?? 256 * 1024 * 1024;
    this.idleMs = options.idleCommitMs ?? Math.min(1_000, intervalMs);
  }

  private get label(): string {
    return `deltaSink(${this.table})`;
  }

  init(context: ProcessorContext<never, never>): void {
    if (typeof context.registerCommitParticipant !== 'function') {
      throw new ConfigError(`${this.label} must run in the tributary runtime: its ProcessorContext cannot enlist the sink in the task commit`);
    }
    this.context = context;
    context.registerCommitParticipant({
      name: this.label,
      open: () => this.open(),
      commitDue: (now) => this.commitDue(now),
      commit: () => this.commit(),
      close: (clean) => this.release(clean),
      committedOffset: (topic, partition) => this.sink?.lastCommittedOffsets([topic]).get(topic)?.get(partition),
      inputPosition: (topic, partition, offset) => this.sink?.advance({ topic, partition, offset }),
      metrics: () => this.metrics(),
    });
  }

  private async open(): Promise<void> {
    const { applicationId, taskId } = this.context;
    const key = `${path.resolve(this.table)}\0${applicationId}\0${taskId}`;
    if (openSinks.has(key)) {
      throw new ConfigError(
        `${this.label}: two Delta sinks of task ${taskId} write the same table; their txn appIds (${applicationId}-<topic>-<partition>) ` +
          'would collide. Merge the streams before one deltaSink.',
      );
    }
    const { table: _a, tableDir: _d, toRow: _t, commitIntervalMs: _i, commitRows: _r, commitBytes: _b, onCommit: _c, ...writer } = this.options;
    this.sink = await DeltaSink.open({ ...writer, tableDir: this.table, applicationId });
    openSinks.add(key);
    this.registryKey = key;
  }

  process(record: Record<K, V>): void {
    const source = this.context.recordMetadata();
    if (source === null) {
      throw new TributaryError(
        `${this.label} received a record without a source position (forwarded from a punctuation or a store-cache flush); ` +
          'exactly-once needs the input offset of every row: disable caching of upstream stores in this sub-topology',
        { code: 'TOPOLOGY', context: { taskId: this.context.taskId } },
      );
    }
    const sink = this.sink;
    if (sink === null) throw new TributaryError(`${this.label} was not opened before its first record`, { code: 'ILLEGAL_STATE' });
    const result = sink.append(this.toRow(record, source), source);
    this.seen++;
    if (this.since < 0 && !('duplicate' in result)) this.since = this.context.currentSystemTimeMs();
    if (!result.ok) {
      throw new RecordRejectedError(`the row does not fit Delta table ${this.table}: ${result.reason}`, {
        context: { topic: source.topic, partition: source.partition, offset: source.offset },
      });
    }
  }

  private commitDue(now: number): boolean {
    const sink = this.sink;
    if (sink === null || this.since < 0) return true;
    if (this.seen !== this.seenAtCheck) {
      this.seenAtCheck = this.seen;
      this.quietSince = now;
    }
    return (
      now - this.since >= this.intervalMs || now - this.quietSince >= this.idleMs || sink.bufferedRows >= this.maxRows || sink.bufferedBytes >= this.maxBytes
    );
  }

  private metrics(): CommitParticipantMetrics {
    const version = this.sink?.writer.snapshot.version;
    return {
      kind: 'delta',
      target: this.table,
      ...this.written,
      version: version === undefined || version < 0 ? undefined : version,
      commitLatency: this.commitLatency.snapshot(),
      bufferedRows: this.sink?.bufferedRows ?? 0,
    };
  }

  private async commit(): Promise<void> {
    const sink = this.sink;
    if (sink === null || (this.since < 0 && !sink.hasPositions)) return;
    const positions = sink.positions();
    let result;
    const started = performance.now();
    try {
      result = await sink.commit();
    } catch (error) {
      if (error instanceof TributaryError && error.code === 'DELTA_CONFLICT' && !error.retriable) {
        this.since = -1;
        throw new TaskMigratedError(`${this.label} of task ${this.context.taskId} was fenced: another writer committed offsets of its partitions`, {
          cause: error,
          context: { taskId: this.context.taskId },
        });
      }
      throw error;
    }
    this.since = -1;
    this.seen = this.seenAtCheck = 0;
    if (result !== undefined) {
      this.commitLatency.observeMs(performance.now() - started);
      const w = this.written;
      w.commits++;
      w.rows += result.rows;
      w.files += result.files;
      w.bytes += result.bytes;
      w.lastCommitAtMs = Date.now();
      this.options.onCommit?.({
        table: this.table,
        taskId: this.context.taskId,
        version: result.version,
        files: result.files,
        rows: result.rows,
        bytes: result.bytes,
        positions,
      });
    }
  }

  private async release(_clean: boolean): Promise<void> {
    // Clean close comes right after a commit (nothing buffered); dirty close drops what is buffered.
    const sink = this.sink;
    this.sink = null;
    openSinks.delete(this.registryKey);
    this.since = -1;
    if (sink !== null) await sink.writer.discard(false);
  }
}
