/**
 * The Processor API: the low-level contract every DSL operator is built on, and what users
 * implement for custom logic (`KStream.process`). Processing is synchronous and record-by-record;
 * a processor never awaits. Outputs go through `context.forward`.
 */
import type { Headers } from '../kafka/types.js';
import type { StateStore } from '../state/types.js';
import type { LatencyHistogramSnapshot } from '../runtime/latency-histogram.js';

/** A record flowing between processors. Immutable; use `with*` helpers to derive. */
export interface Record<K, V> {
  readonly key: K;
  readonly value: V;
  /** Event time in epoch ms. */
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Where the record being processed came from (absent for records created by punctuation). */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** What drives a punctuation: stream time (advanced by record timestamps) or the wall clock. */
export type PunctuationType = 'stream-time' | 'wall-clock';

/** Handle of a scheduled punctuation; `cancel()` stops further calls. */
export interface Cancellable {
  cancel(): void;
}

/** What a processor sees of its task: forwarding to children, state stores, punctuation scheduling, the current record's metadata and commit requests. */
export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string;
  readonly taskId: string;
  /** Metadata of the input record currently processed, or null inside a punctuation. */
  recordMetadata(): RecordMetadata | null;
  /** Task stream time: max timestamp seen so far, -1 before the first record; never decreases. */
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  /** Sends a record to all children, or to the named child only. */
  forward<K extends KOut, V extends VOut>(record: Record<K, V>, childName?: string): void;
  getStateStore<S extends StateStore>(name: string): S;
  /**
   * Schedules `callback` every `intervalMs`. Stream-time punctuation is epoch-aligned and fires at
   * most once per interval as stream time advances; wall-clock punctuation fires on the wall clock.
   */
  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable;
  /** Requests a commit as soon as possible after the current record. */
  commit(): void;
  /**
   * tributary extension: enlists an external system this processor writes to (a table sink) in
   * the task's commit (see `CommitParticipant`). Call from `init`. Absent outside the runtime.
   */
  registerCommitParticipant?(participant: CommitParticipant): void;
}

/**
 * tributary extension: something outside Kafka that a processor buffers into and that commits
 * with its task — the hook the Delta sink plugs into. The runtime drives it:
 *
 * ```text
 *   task assigned ─▶ stores restored ─▶ processors init (register) ─▶ await open()   (before any record)
 *   every commit.interval.ms: a task with a participant that has commitDue() commits only when
 *       one of them says so (or on context.commit(), revocation, close) — the participant paces it
 *   task commit: flush stores ─▶ await commit() ─▶ Kafka: send, sendOffsets, commitTransaction
 *   task closed: close(clean)   (clean = after a successful commit; dirty = crash/migration: drop buffers)
 * ```
 *
 * `commit()` runs before the Kafka transaction commits; throwing `TaskMigratedError` there means
 * the participant was fenced (the task is closed dirty and the consumer rejoins); any other error
 * fails the runtime. Neither commits the Kafka transaction.
 */
export interface CommitParticipant {
  /** Names the participant in errors. */
  readonly name: string;
  open?(): Promise<void>;
  /** When defined, the task is committed on the participant's schedule instead of every commit interval. */
  commitDue?(nowMs: number): boolean;
  commit(): Promise<void>;
  close?(clean: boolean): Promise<void>;
  /**
   * The last input offset of `topic`/`partition` whose effects the participant already holds
   * (e.g. a Delta sink's txn version), undefined when none. Runners without an offset store of
   * their own (`runDeltaStreams`) resume after the smallest of these. Valid after `open`.
   */
  committedOffset?(topic: string, partition: number): number | undefined;
  /**
   * The task has processed every input record of `topic`/`partition` up to `offset` (called by
   * runners without an offset store of their own, before a commit): a participant that records
   * positions may record this one with its next commit even if no record reached it since.
   */
  inputPosition?(topic: string, partition: number, offset: number): void;
  /** What the participant wrote, for the metrics endpoint (read at scrape time, never per record). */
  metrics?(): CommitParticipantMetrics;
}

/** Counters of a participant that commits to an external table (e.g. the Delta sink), since its task opened it. */
export interface CommitParticipantMetrics {
  /** The kind of target, e.g. `delta`. */
  readonly kind: string;
  /** The target, e.g. the table directory. */
  readonly target: string;
  readonly commits: number;
  readonly rows: number;
  readonly files: number;
  readonly bytes: number;
  /** The target's version after the last commit (or as opened); undefined before it is known. */
  readonly version: number | undefined;
  /** Wall-clock time of the last commit (epoch ms). */
  readonly lastCommitAtMs: number | undefined;
  /** Durations of the commits, in fixed buckets. */
  readonly commitLatency: LatencyHistogramSnapshot;
  /** Rows buffered for the next commit. */
  readonly bufferedRows: number;
}

/**
 * A node of the Processor API: `init` once per task, `process` for every record (synchronously,
 * never awaiting), `close` on task close. Forwards with `context.forward`.
 */
export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: Record<KIn, VIn>): void;
  close?(): void;
}

/** Makes a fresh `Processor` for each task (one instance per partition), as `Topology.addProcessor` and `KStream.process` take it. */
export type ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> = () => Processor<KIn, VIn, KOut, VOut>;
