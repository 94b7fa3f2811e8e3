/**
 * `deltaAggregateSink(options)`: keeps per-key aggregates of a stream in a small Delta table that
 * always shows the current totals — `stream.process(deltaAggregateSink({ table, schema, key,
 * add, ... }))`. A terminal processor (it forwards nothing); made for gold tables (daily or
 * per-merchant totals) whose key count is small enough to rewrite at every commit.
 *
 * ```text
 *   open: load the table ─▶ aggregates = its rows (fromRow), position = its txn version
 *   record (offset ≤ position: already in the table ─▶ skipped) ─▶ add(aggregate, value) (sync)
 *   commit (paced by commitIntervalMs): one Delta version = remove every live file + add one
 *          file with every aggregate + txn <applicationId>-<topic>-<partition> = last offset
 * ```
 *
 * The table is the state: a crash loses only what was not committed, and the next run reads the
 * totals back and skips the records they include. Readers see a plain table of current totals
 * (each commit is an overwrite); a Delta stream reading it needs `ignoreChanges`. Updated
 * incrementally: each commit costs the size of the aggregates, not of the history.
 */
import type { z } from 'zod';
import { ConfigError, TaskMigratedError, TributaryError } from '../../errors.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../topology/processor.js';
import { txnAppId } from './sink.js';
import { readTable } from './read.js';
import { DeltaTableWriter } from './table-writer.js';
import type { DeltaStructType } from './types.js';

/** Options of the Delta aggregate sink: table, schema and partitioning, the key of each value, and how values fold into an aggregate row. */
export interface DeltaAggregateSinkOptions<V, A> {
  /** Table location (created with `schema` if missing). */
  readonly table: string;
  readonly schema: DeltaStructType | z.ZodType;
  readonly partitionBy?: readonly string[];
  readonly name?: string;
  readonly description?: string;
  /** The aggregation key of a record value. */
  readonly key: (value: V) => string;
  /** The aggregate of a key seen for the first time. */
  readonly initial: () => A;
  /** The aggregate after one more value (may mutate and return `aggregate`). */
  readonly add: (aggregate: A, value: V) => A;
  /** The table row of an aggregate. */
  readonly toRow: (key: string, aggregate: A) => globalThis.Record<string, unknown>;
  /** Key and aggregate back from a table row (JSON form), at open. */
  readonly fromRow: (row: globalThis.Record<string, unknown>) => [string, A];
  /** Commit at most this often while records arrive (default 5000 ms). */
  readonly commitIntervalMs?: number;
}

/** A processor supplier that aggregates every record it receives into a Delta table (see module doc). */
export function deltaAggregateSink<K, V, A>(options: DeltaAggregateSinkOptions<V, A>): ProcessorSupplier<K, V, never, never> {
  if (!options.table) throw new ConfigError('deltaAggregateSink needs a table location (`table`)');
  return () => new DeltaAggregateSinkProcessor<K, V, A>(options);
}

interface Position {
  readonly topic: string;
  readonly partition: number;
  first: number;
  last: number;
}

class DeltaAggregateSinkProcessor<K, V, A> implements Processor<K, V, never, never> {
  private context!: ProcessorContext<never, never>;
  private writer: DeltaTableWriter | null = null;
  private readonly aggregates = new Map<string, A>();
  /** Pending positions by txn appId (not yet in the table). */
  private readonly pending = new Map<string, Position>();
  private dirtySince = -1;
  private readonly intervalMs: number;

  constructor(private readonly options: DeltaAggregateSinkOptions<V, A>) {
    this.intervalMs = options.commitIntervalMs ?? 5_000;
  }

  private get label(): string {
    return `deltaAggregateSink(${this.options.table})`;
  }

  init(context: ProcessorContext<never, never>): void {
    if (typeof context.registerCommitParticipant !== 'function') throw new ConfigError(`${this.label} must run in the tributary runtime`);
    this.context = context;
    context.registerCommitParticipant({
      name: this.label,
      open: () => this.open(),
      commitDue: (now) => this.dirtySince < 0 || now - this.dirtySince >= this.intervalMs,
      commit: () => this.commit(),
      close: async () => {
        this.writer = null;
        this.pending.clear();
      },
      committedOffset: (topic, partition) => this.committed(txnAppId(this.context.applicationId, topic, partition)),
      inputPosition: (topic, partition, offset) => this.advance(topic, partition, offset),
    });
  }

  private committed(appId: string): number | undefined {
    return this.writer?.snapshot.txns.get(appId)?.version;
  }

  private async open(): Promise<void> {
    const o = this.options;
    this.writer = await DeltaTableWriter.open({
      tableDir: o.table,
      schema: o.schema,
      codec: 'snappy',
      ...(o.partitionBy !== undefined ? { partitionBy: o.partitionBy } : {}),
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o.description !== undefined ? { description: o.description } : {}),
    });
    this.aggregates.clear();
    for (const row of (await readTable(o.table)).rows) {
      const [k, a] = o.fromRow(row);
      this.aggregates.set(k, a);
    }
  }

  private advance(topic: string, partition: number, offset: number): boolean {
    const appId = txnAppId(this.context.applicationId, topic, partition);
    const held = this.committed(appId);
    if (held !== undefined && offset <= held) return false;
    const p = this.pending.get(appId);
    if (p) p.last = Math.max(p.last, offset);
    else this.pending.set(appId, { topic, partition, first: offset, last: offset });
    return true;
  }

  process(record: Record<K, V>): void {
    const meta = this.context.recordMetadata();
    if (meta === null) {
      throw new TributaryError(`${this.label} received a record without a source position (from a punctuation or a cache flush)`, {
        code: 'TOPOLOGY',
        context: { taskId: this.context.taskId },
      });
    }
    if (!this.advance(meta.topic, meta.partition, meta.offset)) return;
    const o = this.options;
    const k = o.key(record.value);
    this.aggregates.set(k, o.add(this.aggregates.get(k) ?? o.initial(), record.value));
    if (this.dirtySince < 0) this.dirtySince = this.context.currentSystemTimeMs();
  }

  private async commit(): Promise<void> {
    const w = this.writer;
    if (w === null || this.pending.size === 0) return;
    for (const [k, a] of this.aggregates) {
      const r = w.append(this.options.toRow(k, a));
      if (!r.ok)
        throw new TributaryError(`${this.label}: the aggregate row of ${k} does not fit the table: ${r.reason}`, {
          code: 'DELTA',
          context: { table: this.options.table },
        });
    }
    const now = Date.now();
    const txns = [...this.pending].map(([appId, p]) => ({ appId, version: p.last, lastUpdated: now }));
    const fences = [...this.pending].map(([appId, p]) => ({ appId, fromVersion: p.first }));
    try {
      await w.commit({ txns, fences, replaceAll: true, operation: 'WRITE', operationParameters: { mode: 'Overwrite' } });
    } catch (error) {
      if (error instanceof TributaryError && error.code === 'DELTA_CONFLICT' && !error.retriable) {
        throw new TaskMigratedError(`${this.label} of task ${this.context.taskId} was fenced: another writer committed its positions`, {
          cause: error,
          context: { taskId: this.context.taskId },
        });
      }
      await w.discard(false);
      throw error;
    }
    this.pending.clear();
    this.dirtySince = -1;
  }
}
