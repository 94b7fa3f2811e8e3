/**
 * A stream task: one partition `p` of one sub-topology. It owns a record queue per input
 * partition (`PartitionGroup`), its own instances of the sub-topology's processors and stores,
 * an output buffer, stream-time and wall-clock punctuation queues and its metrics.
 *
 * The per-record path (`process`) is synchronous: take the record with the lowest head
 * timestamp, deserialize (the value lazily), run the processor chain, buffer outputs. Failures go
 * to the configured handlers (dead-letter, continue, or fail). The asynchronous parts — store
 * init/restore, flush, sends and commits — are driven from outside at batch boundaries (see
 * `task-committer.ts` for the commit lifecycle).
 */
import { cachingBuilderOf } from '../state/abilities.js';
import { ConfigError, RecordTooLargeError, TributaryError } from '../errors.js';
import { InvalidTimestampError } from '../time/timestamp-extractors.js';
import type { LoggedStore } from './task-stores.js';
import type { FetchedColumns, Headers, IncomingRecord, Producer, TopicPartition, TopicPartitionOffset } from '../kafka/types.js';
import { columnsOf, headersAt, recordAt } from '../kafka/columns.js';
import type { Subtopology } from '../topology/built-topology.js';
import type { Cancellable, PunctuationType } from '../topology/processor.js';
import type { TimestampExtractor } from '../topology/types.js';
import type { Serde } from '../serde/types.js';
import { sameFormat } from '../serde/serde-format.js';
import { isMarkedStore, type StateStore, type StoreBuilder } from '../state/types.js';
import type { NormalizedConfig } from './config.js';
import { errorMessage, type ErrorResponse } from './error-handlers.js';
import { NodeFailure } from '../topology/node-failure.js';
import { handleProductionFailure, RejectedRecord, routeFailure, type FailureTarget } from './failure-routing.js';
import { PartitionGroup } from './partition-group.js';
import { ProcessorContextImpl } from './processor-context-impl.js';
import { PunctuationQueue, type Punctuation } from './punctuation-queue.js';
import { RecordCollector } from './record-collector.js';
import type { RecordLimits } from './record-limits.js';
import type { RecordQueue } from './record-queue.js';
import { ProcessorNode, type RuntimeNode, SinkNode, SourceNode } from './runtime-node.js';
import { formatTaskId } from './task-id.js';
import { TaskMetrics } from './task-metrics.js';
import { TaskRecordContext } from './task-record-context.js';
import { futureLimit, invalidInputTimestamp } from './timestamps.js';

export interface TaskOptions {
  readonly subtopology: Subtopology;
  readonly partition: number;
  /** The input partitions of this task (partition `p` of each source topic that has one). */
  readonly inputs: readonly TopicPartition[];
  readonly config: NormalizedConfig;
  /** Internal (repartition) topic names. */
  readonly internalTopics: ReadonlySet<string>;
  readonly partitionsFor: (topic: string) => number | undefined;
  readonly globalStores?: ReadonlyMap<string, StateStore>;
  /** Size limits of the topics the task writes to. Default: Kafka's default for every topic. */
  readonly recordLimits?: RecordLimits;
}

interface Decoded {
  readonly key: unknown;
  readonly value: unknown;
}

type State = 'created' | 'running' | 'closed';

const NO_HEADERS: Headers = Object.freeze({}) as Headers;

export class StreamTask {
  readonly id: string;
  readonly partition: number;
  readonly subtopology: Subtopology;
  readonly metrics: TaskMetrics;
  readonly collector: RecordCollector;
  readonly context: TaskRecordContext;
  /** Store instances by name, built from the sub-topology's builders. */
  readonly stores = new Map<string, StateStore>();
  /** Under exactly-once: this task's transactional producer (set by the runtime). */
  producer: Producer | null = null;
  /** Its stores that have a changelog (set when the stores are opened; the checkpoint covers them). */
  loggedStores: readonly LoggedStore[] = [];

  private state: State = 'created';
  private readonly config: NormalizedConfig;
  private readonly group: PartitionGroup;
  private readonly queues: RecordQueue[];
  private readonly streamTimePunctuations = new PunctuationQueue();
  private readonly wallClockPunctuations = new PunctuationQueue();
  private readonly nodes: RuntimeNode[] = [];
  private readonly processors: ProcessorNode[] = [];
  private readonly sources = new Map<string, SourceNode>();
  private readonly extractors = new Map<string, TimestampExtractor | undefined>();
  private uncommitted = false;
  private readonly failureTarget: FailureTarget;

  constructor(options: TaskOptions) {
    const { subtopology, partition, config } = options;
    this.id = formatTaskId({ subtopology: subtopology.id, partition });
    this.partition = partition;
    this.subtopology = subtopology;
    this.config = config;
    this.metrics = new TaskMetrics(this.id);
    this.collector = new RecordCollector(this.metrics, options.internalTopics, options.recordLimits);
    this.failureTarget = {
      taskId: this.id,
      config,
      collector: this.collector,
      metrics: this.metrics,
      sourceName: (topic) => this.sources.get(topic)?.name ?? 'unknown',
    };
    this.group = new PartitionGroup(options.inputs);
    this.queues = options.inputs.map((tp) => this.group.queue(tp.topic)!);
    this.context = new TaskRecordContext({
      applicationId: config.applicationId,
      taskId: this.id,
      partition,
      clock: config.clock,
      collector: this.collector,
      metrics: this.metrics,
      streamTime: () => this.group.streamTime(),
      schedule: (node, interval, type, cb) => this.schedule(node, interval, type, cb),
      partitionsFor: options.partitionsFor,
    });
    for (const [name, store] of options.globalStores ?? []) this.context.globalStores.set(name, store);
    const cachedStores = subtopology.stores.filter((s) => cachingBuilderOf(s.builder) !== null).length;
    for (const s of subtopology.stores) {
      const store = withCacheBudget(s.builder, config.cacheMaxBytes, cachedStores).build();
      this.stores.set(s.name, store);
      this.context.stores.set(s.name, store);
    }
    this.buildNodes();
    for (const q of this.queues) q.source = this.sources.get(q.tp.topic) ?? null;
  }

  private buildNodes(): void {
    const byName = new Map<string, RuntimeNode>();
    const contexts: Array<[ProcessorNode, ProcessorContextImpl]> = [];
    for (const def of this.subtopology.nodes) {
      if (def.kind === 'source') {
        const node = new SourceNode(def.name, this.serde(def.keySerde, 'key', def.name), this.serde(def.valueSerde, 'value', def.name));
        for (const t of def.topics) {
          this.sources.set(t, node);
          this.extractors.set(t, def.timestampExtractor ?? this.config.defaultTimestampExtractor);
        }
        byName.set(def.name, node);
      } else if (def.kind === 'processor') {
        const node = new ProcessorNode(def.name, def.supplier());
        contexts.push([node, new ProcessorContextImpl(this.context, node, new Set(def.stores))]);
        this.processors.push(node);
        byName.set(def.name, node);
      } else {
        byName.set(
          def.name,
          new SinkNode(
            def.name,
            this.context,
            def.topic,
            def.topicExtractor,
            this.serde(def.keySerde, 'key', def.name),
            this.serde(def.valueSerde, 'value', def.name),
            def.partitioner,
          ),
        );
      }
    }
    for (const def of this.subtopology.nodes) {
      const node = byName.get(def.name)!;
      node.children = def.children.map((c) => byName.get(c)!);
      this.nodes.push(node);
    }
    this.processorContexts = contexts;
    // Sources remember what they decode only when a sink of this task may write it as its input bytes.
    const passing = this.nodes.filter((n): n is SinkNode => n instanceof SinkNode && n.passesValueBytes);
    for (const source of new Set(this.sources.values())) {
      if (passing.some((sink) => sameFormat(sink.valueSerde, source.valueSerde))) source.decodedValues = this.context.decodedValues;
      const children = source.children;
      source.childrenReadFieldsOnly = children.length > 0 && children.every((c) => c instanceof ProcessorNode && c.readsRecordFieldsOnly);
    }
  }

  private processorContexts: Array<[ProcessorNode, ProcessorContextImpl]> = [];

  private serde(serde: Serde<unknown> | undefined, what: 'key' | 'value', node: string): Serde<unknown> {
    const s = serde ?? (what === 'key' ? this.config.defaultKeySerde : this.config.defaultValueSerde);
    if (s === undefined) {
      throw new ConfigError(`${node} has no ${what} serde and no default ${what} serde is configured`, { context: { taskId: this.id } });
    }
    return s;
  }

  /** Calls `init` of every processor (after the stores are initialized and restored). */
  initProcessors(): void {
    if (this.state !== 'created') throw new TributaryError(`Task ${this.id} is ${this.state}`, { code: 'ILLEGAL_STATE' });
    this.context.setNoRecord(this.group.streamTime());
    for (const [node, ctx] of this.processorContexts) {
      try {
        node.processor.init?.(ctx);
      } catch (error) {
        throw new TributaryError(`Processor ${node.name} failed in init: ${errorMessage(error)}`, {
          code: 'PROCESSING',
          cause: error,
          context: { taskId: this.id, processor: node.name },
        });
      }
    }
    this.state = 'running';
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  inputPartitions(): TopicPartition[] {
    return this.group.partitions();
  }

  streamTime(): number {
    return this.group.streamTime();
  }

  numBuffered(): number {
    return this.group.numBuffered();
  }

  /** Enqueues fetched records of one input partition, extracting their timestamps. */
  addRecords(topic: string, records: readonly IncomingRecord[]): void {
    if (records.length === 0) return;
    this.addColumns(columnsOf(topic, records[0]!.partition, records));
  }

  /** `addRecords` for records by column. */
  addColumns(cols: FetchedColumns): void {
    const topic = cols.topic;
    const queue = this.group.queue(topic);
    if (queue === undefined) throw new TributaryError(`Task ${this.id} does not read ${topic}`, { code: 'ILLEGAL_STATE' });
    const n = cols.length;
    const source = this.sources.get(topic)!;
    const extractor = this.extractors.get(topic);
    let pt = queue.partitionTime();
    let notes: unknown[] | null = null;
    // Valid: a safe integer in [0, limit] (limit: MAX_TIMESTAMP_MS or the wall clock + maxFutureSkewMs).
    const limit = futureLimit(this.config.clock.now(), this.config.maxFutureSkewMs);
    if (extractor === undefined) {
      // Ordered by the record timestamps themselves, unless one is invalid. Kafka timestamps are
      // integers, so within [0, limit] they are safe integers.
      let order: ArrayLike<number> = cols.timestamps;
      for (let i = 0; i < n; i++) {
        const ts = order[i]!;
        if (ts >= 0 && ts <= limit && ts % 1 === 0) {
          if (ts > pt) pt = ts;
          continue;
        }
        if (order === cols.timestamps) order = Array.from(cols.timestamps);
        notes ??= new Array<unknown>(n);
        notes[i] = new RejectedRecord(invalidInputTimestamp(ts, limit, recordAt(cols, i)), source.name);
        // Ordered as if it had the partition time, so it neither jumps ahead nor holds others back.
        pt = Math.max(pt, 0);
        (order as number[])[i] = pt;
      }
      this.group.addBatch(queue, { cols, order, notes });
      return;
    }
    const order = new Array<number>(n);
    notes = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      let key: unknown;
      let value: unknown;
      let ts: number;
      try {
        key = source.deserializeKeyAt(cols, i);
        value = source.deserializeValueAt(cols, i);
        const headers = headersAt(cols, i);
        ts = extractor({ key, value, timestamp: cols.timestamps[i]!, topic, partition: cols.partition, offset: cols.offsets[i]!, headers }, pt);
        if (!(Number.isSafeInteger(ts) && ts >= 0 && ts <= limit)) throw invalidInputTimestamp(ts, limit, recordAt(cols, i), 'extracted');
      } catch (error) {
        notes[i] = new RejectedRecord(error, source.name);
        pt = Math.max(pt, 0);
        order[i] = pt;
        continue;
      }
      if (ts > pt) pt = ts;
      notes[i] = { key, value } satisfies Decoded;
      order[i] = ts;
    }
    this.group.addBatch(queue, { cols, order, notes });
  }

  /** Processes up to `max` buffered records; returns how many were taken. Synchronous. */
  process(max = Number.POSITIVE_INFINITY): number {
    let n = 0;
    const ctx = this.context;
    const metrics = this.metrics;
    const group = this.group;
    const punctuations = this.streamTimePunctuations;
    while (n < max) {
      const queue = group.nextQueue();
      if (queue === null) break;
      const batch = queue.headBatch();
      const cols = batch.cols;
      const order = batch.order;
      const notes = batch.notes;
      const source = queue.source!;
      const first = queue.headIndex();
      // One input partition: no other head to compare with, so the rest of the head batch goes in a row.
      const end = group.single ? Math.min(cols.length, first + (max - n)) : first + 1;
      for (let i = first; i < end; i++) {
        const timestamp = order[i]!;
        group.pop(queue);
        n++;
        metrics.recordsIn++;
        const offset = cols.offsets[i]!;
        const headers = cols.headers === null ? NO_HEADERS : (cols.headers[i] ?? NO_HEADERS);
        queue.uncommittedOffset = offset;
        ctx.setRecord(cols.topic, cols.partition, offset, timestamp, headers);
        const note = notes === null ? undefined : notes[i];
        try {
          if (note === undefined) {
            source.processAt(cols, i, timestamp, headers, ctx);
            metrics.processed++;
          } else if (note instanceof RejectedRecord) {
            this.onFailure(note, recordAt(cols, i), timestamp);
          } else {
            const d = note as Decoded;
            ctx.sourceKeySerde = null;
            source.processDecoded(d.key, d.value, timestamp, headers);
            metrics.processed++;
          }
        } catch (error) {
          this.onFailure(error, recordAt(cols, i), timestamp);
        }
        if (punctuations.isDue(group.streamTime())) this.punctuateStreamTime();
      }
    }
    if (n > 0) this.uncommitted = true;
    return n;
  }

  private onFailure(error: unknown, raw: IncomingRecord, timestamp: number): void {
    routeFailure(this.failureTarget, error, raw, timestamp);
  }

  private schedule(nodeName: string, intervalMs: number, type: PunctuationType, callback: (ts: number) => void): Cancellable {
    if (type === 'stream-time') return this.streamTimePunctuations.schedule(nodeName, 0, intervalMs, callback);
    if (type === 'wall-clock') return this.wallClockPunctuations.schedule(nodeName, this.config.clock.now() + intervalMs, intervalMs, callback);
    throw new ConfigError(`Unknown punctuation type ${String(type)}`);
  }

  /** Fires due stream-time punctuations; returns how many fired. */
  punctuateStreamTime(): number {
    return this.streamTimePunctuations.punctuate(this.group.streamTime(), (p, ts) => this.runPunctuation(p, ts));
  }

  /** Fires due wall-clock punctuations at `nowMs`; returns how many fired. */
  punctuateWallClock(nowMs: number = this.config.clock.now()): number {
    if (this.state !== 'running') return 0;
    return this.wallClockPunctuations.punctuate(nowMs, (p, ts) => this.runPunctuation(p, ts));
  }

  private runPunctuation(p: Punctuation, timestamp: number): void {
    const ctx = this.context;
    const saved = [ctx.topic, ctx.partition, ctx.offset, ctx.timestamp, ctx.headers] as const;
    ctx.setNoRecord(timestamp);
    try {
      p.callback(timestamp);
    } catch (error) {
      let cause = error instanceof NodeFailure ? error.cause : error;
      const nodeName = error instanceof NodeFailure ? error.nodeName : p.nodeName;
      if (cause instanceof RecordTooLargeError) {
        // The production handler decides (a dead letter of the output; not counted as a failed input record).
        const none = { taskId: this.id, topic: '', partition: -1, offset: -1, processorName: nodeName, key: null, value: null, timestamp, headers: {} };
        handleProductionFailure(this.failureTarget, none, cause);
        this.metrics.punctuations++;
        this.uncommitted = true;
        return;
      }
      // The processing handler decides; with no input record there is nothing to dead-letter.
      // An invalid forwarded timestamp is a data error (deserialization handler); there is no input record to dead-letter, so it is dropped.
      const dataError = cause instanceof InvalidTimestampError;
      let response: ErrorResponse;
      try {
        const handler = dataError ? this.config.deserializationExceptionHandler : this.config.processingExceptionHandler;
        response = handler(
          { taskId: this.id, topic: '', partition: -1, offset: -1, processorName: nodeName, key: null, value: null, timestamp, headers: {} },
          cause,
        );
      } catch (handlerError) {
        response = 'fail';
        cause = handlerError;
      }
      if (response !== 'fail' && dataError) {
        this.metrics.skipped++;
        this.config.logger('warn', `punctuation of ${p.nodeName} forwarded a record that was dropped: ${errorMessage(cause)}`, {
          taskId: this.id,
          processor: nodeName,
        });
      }
      if (response === 'fail') {
        throw new TributaryError(`Punctuation of ${p.nodeName} failed at ${nodeName}: ${errorMessage(cause)}`, {
          code: 'PROCESSING',
          cause,
          context: { taskId: this.id, processor: nodeName },
        });
      }
    } finally {
      if (saved[0] !== null) ctx.setRecord(saved[0], saved[1]!, saved[2]!, saved[3], saved[4]);
    }
    this.metrics.punctuations++;
    this.uncommitted = true;
  }

  /** True when records were processed (or punctuations ran) since the last commit, or outputs are buffered. */
  commitNeeded(): boolean {
    return this.uncommitted || this.collector.size > 0;
  }

  get commitRequested(): boolean {
    return this.context.commitRequested;
  }

  /**
   * Offsets to commit: next offset to read per input partition processed since the last commit.
   * Inputs from external sources (`builder.deltaStream`) are left out: their offsets are source
   * positions, committed by the runtime as records (see `externalPositions`, external-sources.ts).
   * A partition whose fetched records were all processed commits the consumer's `position` when
   * that is further (as Kafka Streams commits `consumer.position()` for a partition without
   * buffered records): past the commit marker that ends a transactional input, which a
   * read_committed consumer fetches but never hands out. Else a fully processed transactional
   * input would stay one offset short of its end for good (a lag of 1 that never clears).
   */
  offsetsToCommit(position?: (tp: TopicPartition) => number | undefined): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const q of this.queues) {
      if (q.uncommittedOffset < 0 || this.subtopology.sourceByTopic.get(q.tp.topic)?.external !== undefined) continue;
      let offset = q.uncommittedOffset + 1;
      if (position !== undefined && q.isEmpty()) {
        const p = position(q.tp);
        if (p !== undefined && p > offset) offset = p;
      }
      out.push({ topic: q.tp.topic, partition: q.tp.partition, offset });
    }
    return out;
  }

  /** Per input from an external source: the last offset (source position) processed since the last commit. */
  externalPositions(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const q of this.queues) {
      if (q.uncommittedOffset >= 0 && this.subtopology.sourceByTopic.get(q.tp.topic)?.external !== undefined)
        out.push({ topic: q.tp.topic, partition: q.tp.partition, offset: q.uncommittedOffset });
    }
    return out;
  }

  /** Flushes every store (caches forward their compacted updates; writes reach the backend). */
  async flushStores(): Promise<void> {
    this.context.setNoRecord(this.group.streamTime());
    for (const store of this.stores.values()) await store.flush();
  }

  /** Opens the commit participants registered by processors in `init` (before the first record). */
  async openParticipants(): Promise<void> {
    for (const p of this.context.participants) await p.open?.();
  }

  /**
   * True unless a participant paces the task's commits and none of them is due: a task whose
   * participants define `commitDue` commits on their schedule, not every commit interval.
   */
  participantsDue(nowMs: number): boolean {
    let paced = false;
    for (const p of this.context.participants) {
      if (p.commitDue === undefined) continue;
      if (p.commitDue(nowMs)) return true;
      paced = true;
    }
    return !paced;
  }

  /** Commits the participants (after the stores were flushed, before the Kafka commit). */
  async commitParticipants(): Promise<void> {
    for (const p of this.context.participants) await p.commit();
  }

  /** Marks the current work as committed. */
  markCommitted(): void {
    for (const q of this.queues) q.uncommittedOffset = -1;
    this.uncommitted = false;
    this.context.commitRequested = false;
    this.collector.resetInternalWrites();
    this.metrics.commits++;
  }

  /**
   * Closes processors and stores. `clean` false: drop buffered records and outputs without
   * flushing. `marker`: on a clean close, written into each persistent store that keeps markers
   * after its last flush (the checkpoint written next records it, see `MarkedStore`).
   */
  async close(clean: boolean, marker?: string): Promise<void> {
    if (this.state === 'closed') return;
    const wasRunning = this.state === 'running';
    this.state = 'closed';
    this.streamTimePunctuations.clear();
    this.wallClockPunctuations.clear();
    let firstError: unknown;
    if (wasRunning) {
      for (const node of this.processors) {
        try {
          node.processor.close?.();
        } catch (error) {
          firstError ??= error;
        }
      }
    }
    for (const p of this.context.participants) {
      try {
        await p.close?.(clean && wasRunning);
      } catch (error) {
        firstError ??= error;
      }
    }
    for (const store of this.stores.values()) {
      try {
        if (clean && marker !== undefined && store.isOpen && store.persistent && isMarkedStore(store)) {
          await store.flush();
          await store.writeMarker(marker);
        }
        if (store.isOpen) await store.close();
      } catch (error) {
        firstError ??= error;
      }
    }
    this.group.clear();
    if (!clean) this.collector.clear();
    if (clean && firstError !== undefined) throw firstError;
  }
}

/** The task's cache budget split over its cached stores (`cacheMaxBytes` config); other builders as they are. */
function withCacheBudget(builder: StoreBuilder, taskBudget: number | undefined, cachedStores: number): StoreBuilder {
  const b = taskBudget === undefined ? null : cachingBuilderOf(builder);
  return b === null ? builder : b.withCachingEnabled(Math.floor(taskBudget! / Math.max(1, cachedStores)));
}
