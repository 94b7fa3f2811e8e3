/**
 * A producer of the embedded broker. Records are validated as a batch (topic exists, partition in
 * range, size within `max.message.bytes`), routed with the Java-compatible partitioner when they
 * have no partition, copied (the caller may reuse its buffers, as with a real client) and appended.
 * Transactional producers get their epoch from the transaction coordinator on `connect` and carry
 * it on every call, so a fenced instance fails with `ProducerFencedError`.
 */
import { ProducerFencedError, TributaryError } from '../../errors.js';
import { DefaultPartitioner, murmur2, toPositive } from '../partitioner.js';
import type { Headers, OutgoingBatch, Producer, ProducerOptions, TopicPartitionOffset, ConsumerGroupMetadata } from '../types.js';
import { illegalState, notConnected, type Broker } from './broker.js';
import { RECORD_OVERHEAD, type PartitionLog, type TxnMark } from './partition-log.js';
import { networkTick } from './signal.js';
import type { Topic } from './topics.js';

const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;

export class EmbeddedProducer implements Producer {
  readonly transactionalId: string | undefined;
  private readonly timeoutMs: number;
  private readonly partitioner = new DefaultPartitioner();
  private connected = false;
  private producerId = -1;
  private epoch = -1;
  private fenced: ProducerFencedError | null = null;
  private txnOpen = false;

  constructor(
    private readonly broker: Broker,
    options: ProducerOptions = {},
  ) {
    this.transactionalId = options.transactionalId;
    this.timeoutMs = options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS;
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs < 1) {
      throw new TributaryError(`transactionTimeoutMs must be a positive integer, got ${this.timeoutMs}`, { code: 'CONFIG' });
    }
  }

  get inTransaction(): boolean {
    return this.txnOpen;
  }

  async connect(): Promise<void> {
    this.broker.ensureOpen();
    await networkTick();
    this.broker.ensureOpen();
    if (this.connected) return;
    if (this.transactionalId !== undefined) {
      const { producerId, epoch } = this.broker.transactions.initProducerId(this.transactionalId, this.timeoutMs);
      this.producerId = producerId;
      this.epoch = epoch;
    } else {
      this.producerId = this.broker.transactions.allocateProducerId();
    }
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    // Like the Java and kafkajs clients, closing does not abort an open transaction: the broker
    // aborts it on timeout or when a new instance initializes the same transactional id.
    this.connected = false;
    this.txnOpen = false;
    await networkTick();
  }

  /** Validates and routes the whole batch, then appends it; the log keeps the batch's chunks (no copy). */
  async send(batch: OutgoingBatch): Promise<void> {
    this.ensureUsable();
    if (this.transactionalId !== undefined && !this.txnOpen) {
      throw illegalState(`Transactional producer '${this.transactionalId}' cannot send outside a transaction: call beginTransaction() first`);
    }
    await networkTick();
    this.ensureUsable();
    if (batch.length === 0) return;
    this.appendBatch(batch);
  }

  async beginTransaction(): Promise<void> {
    this.ensureUsable();
    const id = this.requireTransactional('beginTransaction');
    if (this.txnOpen) throw illegalState(`Producer '${id}' already has a transaction in progress`);
    this.txnOpen = true;
    await networkTick();
  }

  async sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[], groupMetadata?: ConsumerGroupMetadata): Promise<void> {
    this.ensureUsable();
    const id = this.requireTransactional('sendOffsets');
    if (!this.txnOpen) throw illegalState(`Producer '${id}' has no transaction in progress for sendOffsets`);
    await networkTick();
    this.ensureUsable();
    if (groupMetadata !== undefined && groupMetadata.generationId >= 0) {
      this.broker.groups.checkTransactionalMember(groupId, { memberId: groupMetadata.memberId, generation: groupMetadata.generationId });
    }
    this.broker.groups.validate(offsets);
    this.guard(() => this.broker.transactions.addOffsets(id, this.epoch, groupId, offsets));
  }

  async commitTransaction(): Promise<void> {
    await this.endTransaction(true);
  }

  async abortTransaction(): Promise<void> {
    await this.endTransaction(false);
  }

  private async endTransaction(commit: boolean): Promise<void> {
    this.ensureUsable();
    const id = this.requireTransactional(commit ? 'commitTransaction' : 'abortTransaction');
    if (!this.txnOpen) throw illegalState(`Producer '${id}' has no transaction in progress to ${commit ? 'commit' : 'abort'}`);
    await networkTick();
    this.ensureUsable();
    try {
      this.guard(() => this.broker.transactions.endTransaction(id, this.epoch, commit));
    } finally {
      this.txnOpen = false;
    }
  }

  /**
   * Appends a validated batch in order: each partition joins the open transaction once, then
   * `appendOne` writes record i to its log; then retention, compaction and wake-ups.
   */
  private appendRouted(logs: readonly PartitionLog[], now: number, appendOne: (i: number, log: PartitionLog, mark: TxnMark | null) => void): void {
    const transactional = this.transactionalId !== undefined;
    const touched = new Set<PartitionLog>();
    let last: PartitionLog | null = null;
    let mark: TxnMark | null = null;
    for (let i = 0; i < logs.length; i++) {
      const log = logs[i]!;
      if (log !== last) {
        touched.add(log);
        if (transactional) mark = this.broker.transactions.addPartition(this.transactionalId!, this.epoch, log);
        last = log;
      }
      appendOne(i, log, mark);
    }
    this.afterAppend(touched, now);
  }

  /** Retention and compaction of the partitions a batch went to, then wakes their readers. */
  private afterAppend(touched: Set<PartitionLog>, now: number): void {
    const settings = this.broker.settings;
    for (const log of touched) {
      if (settings.enforceRetention) {
        const t = this.broker.topics.get(log.topic)!;
        // Retention deletes only under cleanup.policy delete; compact topics are compacted.
        if (t.cleanupDelete) log.enforceRetention(t.retentionMs, t.retentionBytes, now);
        if (t.cleanupCompact) log.compact(t.deleteRetentionMs, now);
      }
      log.signal.fire();
    }
  }

  private appendBatch(b: OutgoingBatch): void {
    const n = b.length;
    const logs = new Array<PartitionLog>(n);
    const sizes = new Array<number>(n);
    const { topics, partitions, timestamps, keyChunks, keyStarts, keyEnds, valueChunks, valueStarts, valueEnds, headers } = b;
    let topic: Topic | undefined;
    const now = this.broker.settings.now();
    // Validate and route the whole batch before appending anything.
    for (let i = 0; i < n; i++) {
      const name = topics[i]!;
      if (topic === undefined || topic.name !== name) topic = this.broker.topics.require(name);
      const keyChunk = keyChunks[i]!;
      const explicit = partitions[i] !== -1;
      let p = partitions[i]!;
      if (!explicit) {
        p =
          keyChunk === null
            ? this.partitioner.partition(name, null, topic.partitions.length)
            : toPositive(murmur2(keyChunk, keyStarts[i]!, keyEnds[i]!)) % topic.partitions.length;
      }
      let size = RECORD_OVERHEAD + (keyChunk === null ? 0 : keyEnds[i]! - keyStarts[i]!) + (valueChunks[i] === null ? 0 : valueEnds[i]! - valueStarts[i]!);
      const h = headers === null ? undefined : headers[i];
      if (h !== undefined) for (const k in h) size += k.length + h[k]!.length;
      const ts = timestamps[i]!;
      logs[i] = checkRecord(topic, p, explicit, ts === ts ? ts : undefined, size);
      sizes[i] = size;
    }
    this.appendRouted(logs, now, (i, log, mark) => {
      const h = headers === null ? undefined : headers[i];
      const keyChunk = keyChunks[i]!;
      const valueChunk = valueChunks[i]!;
      const keyStart = keyStarts[i]!;
      const valueStart = valueStarts[i]!;
      const ts = timestamps[i]!;
      log.appendRef(
        keyChunk,
        keyStart,
        keyChunk === null ? 0 : keyEnds[i]! - keyStart,
        valueChunk,
        valueStart,
        valueChunk === null ? 0 : valueEnds[i]! - valueStart,
        ts === ts ? ts : now,
        h === undefined ? null : copyHeaders(h),
        sizes[i]!,
        mark,
        this.producerId,
      );
    });
  }

  private requireTransactional(call: string): string {
    if (this.transactionalId === undefined) {
      throw illegalState(`${call} needs a transactional producer (set transactionalId)`);
    }
    return this.transactionalId;
  }

  private ensureUsable(): void {
    if (this.fenced !== null) throw this.fenced;
    this.broker.ensureOpen();
    if (!this.connected) throw notConnected('producer');
    if (this.transactionalId !== undefined) this.guard(() => this.broker.transactions.checkEpoch(this.transactionalId!, this.epoch));
  }

  /** Runs a coordinator call; a fencing error makes every later call fail the same way. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ProducerFencedError) {
        this.fenced = err;
        this.txnOpen = false;
      }
      throw err;
    }
  }
}

function copyHeaders(headers: Headers): Headers | null {
  let out: Record<string, Buffer> | null = null;
  for (const k in headers) {
    out ??= {};
    out[k] = Buffer.from(headers[k]!);
  }
  return out;
}

/**
 * Throws unless an explicit partition exists, the timestamp (undefined = none) is a non-negative
 * integer and the record fits the topic's max.message.bytes; returns the partition's log.
 */
function checkRecord(topic: Topic, p: number, explicit: boolean, ts: number | undefined, size: number): PartitionLog {
  const name = topic.name;
  const count = topic.partitions.length;
  if (explicit && (!Number.isInteger(p) || p < 0 || p >= count)) {
    throw new TributaryError(`Invalid partition ${p} for topic '${name}': it has partitions [0, ${count})`, {
      code: 'KAFKA',
      context: { topic: name, partition: p },
    });
  }
  if (ts !== undefined && (!Number.isInteger(ts) || ts < 0)) {
    throw new TributaryError(`Invalid record timestamp ${ts}: must be a non-negative integer (epoch ms)`, {
      code: 'KAFKA',
      context: { topic: name, partition: p },
    });
  }
  if (size > topic.maxMessageBytes) {
    throw new TributaryError(`Record of ${size} bytes is larger than max.message.bytes (${topic.maxMessageBytes}) of topic '${name}'`, {
      code: 'KAFKA',
      context: { topic: name, partition: p },
    });
  }
  return topic.partitions[p]!;
}
