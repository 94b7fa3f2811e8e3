/**
 * Every metric tributary exposes on `/metrics`: name, type, labels and meaning. This table is the
 * one place they are defined — the collector (`collector.ts`) emits exactly these families and
 * `docs/operations.md` is generated from it (`npm run docs:metrics`).
 *
 * Names follow Kafka Streams' metric names (`process-total`, `commit-latency`, `records-lag`,
 * `dropped-records`, `e2e-latency`, `hit-ratio`, `restore-remaining-records-total`, ...) in
 * Prometheus style: `tributary_` prefix, snake case, `_total` counters, `_seconds` durations.
 * Labels are bounded: application, sub-topology, task, partition, store, table, and reasons from
 * fixed sets — never a record key.
 */
import { DEAD_LETTER_REASONS } from '../runtime/task-metrics.js';

/** Prometheus metric types tributary exports. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One row of the metric reference: name, type, help text and labels. */
export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly labels: readonly string[];
  readonly help: string;
  /** Which part of the runtime the value comes from (for the docs). */
  readonly group: MetricGroup;
}

export type MetricGroup = 'application' | 'task' | 'state store' | 'Delta sink';

const TASK = ['application_id', 'subtopology', 'task_id', 'partition'] as const;
const STORE = ['application_id', 'task_id', 'store'] as const;
const TABLE = ['application_id', 'table'] as const;

/** Reasons a record is dropped by an operator (the `reason` label of `..._dropped_records_total`). */
export const DROP_REASONS = ['late', 'null_key_or_value'] as const;
export { DEAD_LETTER_REASONS };

function def(group: MetricGroup, name: string, type: MetricType, labels: readonly string[], help: string): MetricDefinition {
  return { group, name, type, labels, help };
}

export const METRICS = {
  // --- application (one stream thread per app) ---
  appState: def(
    'application',
    'tributary_stream_state',
    'gauge',
    ['application_id', 'state'],
    'The application state: 1 for the current one (CREATED, REBALANCING, RUNNING, PENDING_SHUTDOWN, NOT_RUNNING, ERROR), 0 for the others.',
  ),
  tasksRunning: def('application', 'tributary_stream_tasks_running', 'gauge', ['application_id'], 'Tasks this instance runs now.'),
  commitLatency: def(
    'application',
    'tributary_stream_thread_commit_latency_seconds',
    'histogram',
    ['application_id'],
    'Duration of a commit of the stream thread (flush stores, Delta commits, send, offsets, commit transactions) that committed at least one task: the batch duration.',
  ),
  commits: def(
    'application',
    'tributary_stream_thread_commit_total',
    'counter',
    ['application_id'],
    'Commits of the stream thread that covered at least one task.',
  ),
  rebalances: def(
    'application',
    'tributary_stream_thread_rebalances_total',
    'counter',
    ['application_id'],
    'Rebalance callbacks that created or closed tasks.',
  ),
  tasksCreated: def(
    'application',
    'tributary_stream_thread_task_created_total',
    'counter',
    ['application_id'],
    'Tasks created (assigned to this instance), counting each incarnation.',
  ),
  tasksClosed: def(
    'application',
    'tributary_stream_thread_task_closed_total',
    'counter',
    ['application_id', 'how'],
    'Tasks closed: how="clean" (revoked or shut down after a commit) or how="dirty" (crash, fencing: state restored from the changelog by the next owner). Clean + dirty closes are the task migrations away from this instance.',
  ),
  fencings: def(
    'application',
    'tributary_stream_thread_fencings_total',
    'counter',
    ['application_id'],
    'Times a newer instance fenced this one (a producer epoch or a Delta txn conflict): every task closed dirty and the group rejoined (Kafka Streams TaskMigratedException).',
  ),
  recoveries: def(
    'application',
    'tributary_stream_thread_recoveries_total',
    'counter',
    ['application_id'],
    'Retriable failures recovered from (broker unreachable, commit outcome unknown).',
  ),
  threadReplacements: def(
    'application',
    'tributary_stream_thread_replacements_total',
    'counter',
    ['application_id'],
    'Stream threads replaced after an uncaught error (REPLACE_THREAD).',
  ),
  poisonRecords: def(
    'application',
    'tributary_stream_poison_records_total',
    'counter',
    ['application_id'],
    'Records dead-lettered by the poison-record guard after failing repeatedly.',
  ),
  lag: def(
    'application',
    'tributary_stream_consumer_lag_records',
    'gauge',
    ['application_id', 'topic', 'partition'],
    'Records of an external source topic partition not yet committed by the application group (high watermark − committed offset; Kafka Streams records-lag).',
  ),
  watermark: def(
    'application',
    'tributary_stream_watermark_seconds',
    'gauge',
    ['application_id'],
    'The application watermark: the lowest stream time over its running tasks that have seen a record (epoch seconds). A window with grace G closes once stream time passes its end + G.',
  ),
  watermarkBehind: def(
    'application',
    'tributary_stream_watermark_behind_wall_clock_seconds',
    'gauge',
    ['application_id'],
    "Wall clock minus the application watermark: how far event time trails real time (Spark's watermark progress).",
  ),
  // --- task ---
  recordsIn: def(
    'task',
    'tributary_stream_task_records_in_total',
    'counter',
    TASK,
    "Records taken from the task's input queues (= processed + dead-lettered + skipped).",
  ),
  processed: def(
    'task',
    'tributary_stream_task_process_total',
    'counter',
    TASK,
    'Records processed through the topology (Kafka Streams process-total); rates come from rate().',
  ),
  recordsOut: def(
    'task',
    'tributary_stream_task_records_out_total',
    'counter',
    TASK,
    'Records written to sink topics (changelogs and the dead-letter topic excluded).',
  ),
  changelogRecords: def('task', 'tributary_stream_task_changelog_records_total', 'counter', TASK, "Records written to the task's store changelogs."),
  dropped: def(
    'task',
    'tributary_stream_task_dropped_records_total',
    'counter',
    [...TASK, 'reason'],
    `Records an operator discarded (Kafka Streams dropped-records): reason in ${DROP_REASONS.map((r) => `"${r}"`).join(', ')} (late = after its window's grace, also routed to the late output when one is configured).`,
  ),
  deadLettered: def(
    'task',
    'tributary_stream_task_dead_lettered_records_total',
    'counter',
    [...TASK, 'reason'],
    `Records sent to the dead-letter topic: reason in ${DEAD_LETTER_REASONS.map((r) => `"${r}"`).join(', ')} (rejected = refused by a sink for its content, e.g. a Delta schema mismatch).`,
  ),
  skipped: def(
    'task',
    'tributary_stream_task_skipped_records_total',
    'counter',
    TASK,
    'Records an error handler answered with "continue" (skipped without a dead letter).',
  ),
  taskCommits: def('task', 'tributary_stream_task_commit_total', 'counter', TASK, 'Commits of the task.'),
  punctuations: def('task', 'tributary_stream_task_punctuate_total', 'counter', TASK, 'Punctuations fired by the task.'),
  processLatency: def(
    'task',
    'tributary_stream_task_process_latency_seconds',
    'histogram',
    TASK,
    "Duration of one processing pass over the task's buffered records (a batch, not a record; the per-record path is not timed).",
  ),
  e2eLatency: def(
    'task',
    'tributary_stream_task_e2e_latency_seconds',
    'histogram',
    TASK,
    'End-to-end latency: wall clock when an output batch is sent minus the timestamp of its oldest record (one observation per batch; Kafka Streams record-e2e-latency).',
  ),
  streamTime: def(
    'task',
    'tributary_stream_task_stream_time_seconds',
    'gauge',
    TASK,
    "The task's stream time: the highest record timestamp it has taken (epoch seconds); absent before its first record. It is the task's watermark before grace.",
  ),
  streamTimeBehind: def('task', 'tributary_stream_task_stream_time_behind_wall_clock_seconds', 'gauge', TASK, "Wall clock minus the task's stream time."),
  buffered: def('task', 'tributary_stream_task_buffered_records', 'gauge', TASK, "Records fetched and waiting in the task's input queues."),
  // --- state store ---
  storePuts: def('state store', 'tributary_stream_state_put_total', 'counter', STORE, 'Writes to the store (put, put-if-absent, window and session puts).'),
  storeGets: def('state store', 'tributary_stream_state_get_total', 'counter', STORE, 'Point reads of the store.'),
  storeRanges: def('state store', 'tributary_stream_state_range_total', 'counter', STORE, 'Range reads (range, all, window fetches, session finds).'),
  storeDeletes: def('state store', 'tributary_stream_state_delete_total', 'counter', STORE, 'Deletes from the store.'),
  storeFlushes: def('state store', 'tributary_stream_state_flush_total', 'counter', STORE, 'Flushes of the store (one per task commit).'),
  cacheHitRatio: def(
    'state store',
    'tributary_stream_state_cache_hit_ratio',
    'gauge',
    STORE,
    "Share of the record cache's reads answered from the cache since the task opened the store (Kafka Streams hit-ratio); absent for stores without a cache or before a read.",
  ),
  cacheHits: def('state store', 'tributary_stream_state_cache_hits_total', 'counter', STORE, 'Reads answered by the record cache.'),
  cacheMisses: def('state store', 'tributary_stream_state_cache_misses_total', 'counter', STORE, 'Reads the record cache passed to the store below.'),
  cacheBytes: def('state store', 'tributary_stream_state_cache_bytes', 'gauge', STORE, "Bytes held by the store's record cache."),
  storeSize: def(
    'state store',
    'tributary_stream_state_size_on_disk_bytes',
    'gauge',
    STORE,
    "Bytes of the store's files on disk (persistent stores; measured at most every 5 s).",
  ),
  restoreDone: def(
    'state store',
    'tributary_stream_state_restore_records_done',
    'gauge',
    STORE,
    'Changelog records restored into the store by its current restoration (Kafka Streams restore-total).',
  ),
  restoreRemaining: def(
    'state store',
    'tributary_stream_state_restore_records_remaining',
    'gauge',
    STORE,
    'Changelog offsets left to restore (0 once done; Kafka Streams restore-remaining-records-total).',
  ),
  restoring: def('state store', 'tributary_stream_state_restoring', 'gauge', STORE, '1 while the store is being restored from its changelog, 0 once done.'),
  // --- Delta sink ---
  deltaCommits: def(
    'Delta sink',
    'tributary_delta_commits_total',
    'counter',
    TABLE,
    'Delta commits (table versions) written by this instance to the table, over every task it ran (tasks moved away or closed keep counting).',
  ),
  deltaRows: def('Delta sink', 'tributary_delta_rows_total', 'counter', TABLE, 'Rows committed to the table.'),
  deltaFiles: def('Delta sink', 'tributary_delta_files_total', 'counter', TABLE, 'Parquet files committed to the table.'),
  deltaBytes: def('Delta sink', 'tributary_delta_bytes_total', 'counter', TABLE, 'Bytes of the Parquet files committed to the table.'),
  deltaCommitLatency: def(
    'Delta sink',
    'tributary_delta_commit_latency_seconds',
    'histogram',
    TABLE,
    'Duration of one Delta commit (write files, commit the log version).',
  ),
  deltaVersion: def(
    'Delta sink',
    'tributary_delta_table_version',
    'gauge',
    TABLE,
    "The table version after this instance's latest commit (or as it opened the table).",
  ),
  deltaLastCommit: def(
    'Delta sink',
    'tributary_delta_last_commit_timestamp_seconds',
    'gauge',
    TABLE,
    "Wall-clock time of this instance's latest commit to the table (epoch seconds).",
  ),
  deltaBuffered: def('Delta sink', 'tributary_delta_buffered_rows', 'gauge', TABLE, 'Rows buffered for the next commit.'),
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;

/** prom-client's default metrics (prefix-free), documented by name pattern. */
export const DEFAULT_METRICS_NOTE =
  "Process metrics come from prom-client's default collectors: `process_resident_memory_bytes`, `process_cpu_seconds_total`, `process_open_fds`, `nodejs_heap_size_used_bytes`, `nodejs_heap_size_total_bytes`, `nodejs_eventloop_lag_seconds`, `nodejs_gc_duration_seconds` and the other `process_*` / `nodejs_*` families.";
