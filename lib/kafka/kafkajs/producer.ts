/**
 * `Producer` over a kafkajs producer: idempotent, acks=all, one kafkajs `sendBatch` per leader
 * broker of a `send` (concurrent; see `send` for why); the seam's columns go straight into kafkajs
 * messages (`toTopicMessages`).
 *
 * Transactions map to kafkajs `transaction()` objects. kafkajs initializes the producer id lazily on
 * the first transaction, so `connect` opens and immediately ends an empty transaction: that sends
 * InitProducerId, which fences any older instance with the same transactional id and aborts its
 * open transaction, as the seam promises.
 *
 * Failure handling (kafkajs leaves a producer stuck in COMMITTING/ABORTING when EndTxn fails):
 * - fenced (INVALID_PRODUCER_EPOCH, PRODUCER_FENCED, transactional-id authorization) → the producer
 *   throws `ProducerFencedError` from then on and must be discarded;
 * - any other failure of commit/abort → the call throws a `TRANSACTION` error (outcome of a failed
 *   commit is unknown), and the kafkajs producer is replaced by a fresh one on the next
 *   `beginTransaction`, whose InitProducerId aborts the transaction if it is still open.
 */
import './aborted-filter.js';
import type { Kafka, Producer as KjsProducer, RecordMetadata, Transaction as KjsTransaction, TopicMessages, Message } from 'kafkajs';
import { ProducerFencedError, TributaryError } from '../../errors.js';
import { keyAt, valueAt } from '../columns.js';
import type { OutgoingBatch, Producer, ProducerOptions, TopicPartitionOffset, ConsumerGroupMetadata } from '../types.js';
import { hasProtocolType, isFenced, translateError } from './errors.js';
import { DefaultPartitioner } from '../partitioner.js';
import { createPartitioner } from './partitioning.js';
import { chunkByPartitionBytes, MAX_PARTITION_BATCH_BYTES } from '../batch-bytes.js';

/**
 * Splits `sent` into one entry per topic and partition, in order; a record without a partition
 * gets one from `partitioner` when its topic's partition count is known; else the topic's records
 * stay together, in order, in one entry (kafkajs partitions them).
 */
export function splitByPartition(
  sent: readonly TopicMessages[],
  countOf: (topic: string) => number | undefined,
  partitioner: DefaultPartitioner,
): TopicMessages[] {
  const out: TopicMessages[] = [];
  for (const t of sent) {
    const count = countOf(t.topic);
    if ((count === undefined || count <= 0) && t.messages.some((m) => m.partition === undefined || m.partition === null)) {
      // Partitions not known yet (a topic's first send): one call for the whole topic, in order,
      // which kafkajs partitions; split into separate calls, records of one partition could be
      // written out of order.
      out.push(t);
      continue;
    }
    const groups = new Map<number, Message[]>();
    for (const m of t.messages) {
      if ((m.partition === undefined || m.partition === null) && count !== undefined && count > 0) {
        const key = m.key === null || m.key === undefined ? null : typeof m.key === 'string' ? Buffer.from(m.key) : m.key;
        m.partition = partitioner.partition(t.topic, key, count);
      }
      const p = m.partition ?? -1;
      let list = groups.get(p);
      if (!list) groups.set(p, (list = []));
      list.push(m);
    }
    for (const [, messages] of groups) out.push({ topic: t.topic, messages });
  }
  return out;
}

/**
 * Groups per-partition entries into one call per leader broker; entries whose leader is not known
 * (or a topic's unpartitioned remainder) get a call of their own.
 */
export function groupByLeader(entries: readonly TopicMessages[], leaderOf: (topic: string, partition: number) => number | undefined): TopicMessages[][] {
  const byLeader = new Map<number, TopicMessages[]>();
  const alone: TopicMessages[][] = [];
  for (const e of entries) {
    const p = e.messages[0]?.partition;
    const single = p !== undefined && p !== null && e.messages.every((m) => m.partition === p);
    const leader = single ? leaderOf(e.topic, p) : undefined;
    if (leader === undefined || leader < 0) {
      alone.push([e]);
      continue;
    }
    let list = byLeader.get(leader);
    if (!list) byLeader.set(leader, (list = []));
    list.push(e);
  }
  return [...byLeader.values(), ...alone];
}

/** Sends again of partitions a `sendBatch` left unacknowledged, before the send fails (retriable). */
const UNACKNOWLEDGED_RESENDS = 5;

/**
 * The messages of `sent` whose partition is missing from the broker's acknowledgements (every
 * message has its partition by now: explicit, or written by the partitioner).
 */
export function unacknowledged(sent: readonly TopicMessages[], acknowledged: readonly RecordMetadata[]): TopicMessages[] {
  const acked = new Set<string>();
  for (const a of acknowledged) acked.add(`${a.topicName}\u0000${a.partition}`);
  const out: TopicMessages[] = [];
  for (const t of sent) {
    const missing = t.messages.filter((m) => m.partition === undefined || m.partition === null || !acked.has(`${t.topic}\u0000${m.partition}`));
    if (missing.length > 0) out.push({ topic: t.topic, messages: missing });
  }
  return out;
}

/** Partitions (`topic-partition`) acknowledged more than once by one `sendBatch`. */
export function acknowledgedTwice(acknowledged: readonly RecordMetadata[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const a of acknowledged) {
    const k = `${a.topicName}-${a.partition}`;
    if (seen.has(k)) twice.add(k);
    seen.add(k);
  }
  return [...twice];
}

const SEND_OFFSETS_RETRY_DELAYS_MS = [20, 50, 100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000];

/**
 * Records `[from, to)` of a batch as kafkajs messages grouped per topic, in one pass: keys and
 * values are views of the batch's chunks (kafkajs encodes them into its record batch).
 */
export function toTopicMessages(b: OutgoingBatch, from: number, to: number): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  let lastTopic: string | undefined;
  let lastList: Message[] | undefined;
  const { topics, partitions, timestamps, headers } = b;
  for (let i = from; i < to; i++) {
    const topic = topics[i]!;
    let list: Message[] | undefined;
    if (topic === lastTopic) list = lastList;
    else {
      list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      lastTopic = topic;
      lastList = list;
    }
    const m: Message = { key: keyAt(b, i), value: valueAt(b, i) };
    const partition = partitions[i]!;
    if (partition !== -1) m.partition = partition;
    const ts = timestamps[i]!;
    if (ts === ts) m.timestamp = String(ts);
    const h = headers === null ? undefined : headers[i];
    if (h !== undefined) m.headers = h;
    list!.push(m);
  }
  const out: TopicMessages[] = [];
  for (const [topic, messages] of byTopic) out.push({ topic, messages });
  return out;
}

export class KafkajsProducer implements Producer {
  readonly transactionalId: string | undefined;
  private producer: KjsProducer | undefined;
  private txn: KjsTransaction | undefined;
  private connected = false;
  private fenced: ProducerFencedError | undefined;
  private needsReinit = false;
  /** Partition counts and leaders kafkajs' metadata gave the partitioner, by topic. */
  private readonly partitionCounts = new Map<string, number>();
  private readonly leaders = new Map<string, Map<number, number>>();
  private readonly partitioner = new DefaultPartitioner();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ProducerOptions,
  ) {
    this.transactionalId = options.transactionalId;
  }

  get inTransaction(): boolean {
    return this.txn !== undefined;
  }

  private ctx(): { transactionalId?: string } {
    return this.transactionalId === undefined ? {} : { transactionalId: this.transactionalId };
  }

  private build(): KjsProducer {
    const transactional = this.transactionalId !== undefined;
    const counts = this.partitionCounts;
    const leaders = this.leaders;
    return this.kafka.producer({
      createPartitioner: () => {
        const inner = createPartitioner();
        const seen = new Map<string, unknown>();
        return (args) => {
          // Once per metadata version of a topic (kafkajs hands the same array until it refreshes).
          if (seen.get(args.topic) !== args.partitionMetadata) {
            seen.set(args.topic, args.partitionMetadata);
            counts.set(args.topic, args.partitionMetadata.length);
            leaders.set(args.topic, new Map(args.partitionMetadata.map((p) => [p.partitionId, p.leader])));
          }
          return inner(args);
        };
      },
      idempotent: transactional || this.options.idempotent !== false,
      allowAutoTopicCreation: false,
      ...(transactional ? { transactionalId: this.transactionalId } : {}),
      transactionTimeout: this.options.transactionTimeoutMs ?? 60000,
    });
  }

  private fail(error: unknown, what: string, extra: Record<string, unknown> = {}): TributaryError {
    const translated = translateError(error, what, { ...this.ctx(), ...extra });
    if (translated instanceof ProducerFencedError) {
      this.fenced = translated;
      this.txn = undefined;
    }
    return translated;
  }

  private guard(): void {
    if (this.fenced) throw this.fenced;
    if (!this.connected) throw new TributaryError('producer is not connected', { code: 'ILLEGAL_STATE', context: this.ctx() });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    const producer = this.build();
    try {
      await producer.connect();
      if (this.transactionalId !== undefined) {
        const t = await producer.transaction();
        await t.abort();
      }
    } catch (e) {
      await producer.disconnect().catch(() => undefined);
      throw this.fail(e, 'connect producer');
    }
    this.producer = producer;
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    this.txn = undefined;
    const p = this.producer;
    this.producer = undefined;
    if (p) await p.disconnect().catch(() => undefined);
  }

  async send(batch: OutgoingBatch): Promise<void> {
    this.guard();
    if (batch.length === 0) return;
    if (this.txn === undefined && this.transactionalId !== undefined) {
      throw new TributaryError('send on a transactional producer outside a transaction; call beginTransaction first', {
        code: 'ILLEGAL_STATE',
        context: this.ctx(),
      });
    }
    // One kafkajs request carries one record batch per partition, and the broker refuses a batch
    // above message.max.bytes (1 MB by default): split large sends, in order, below that bound.
    // A topic with a smaller max.message.bytes gets smaller batches (a dead-letter topic, say).
    //
    // Each kafkajs `sendBatch` carries the partitions of ONE leader broker (as kafkajs' metadata
    // last named it; calls run concurrently): a kafkajs send spanning several brokers can, when one
    // of them fails, lose a partition's records or write them twice with new sequence numbers (see
    // `sendChunk`); with one broker per call kafkajs' retry is exact unless leadership moves
    // mid-send. Records without a partition get it here once the topic's partition count is known,
    // as kafkajs would choose it.
    const ends = chunkByPartitionBytes(batch, MAX_PARTITION_BATCH_BYTES, this.options.maxBatchBytes);
    let from = 0;
    for (const to of ends) {
      const topicMessages = toTopicMessages(batch, from, to);
      from = to;
      const perPartition = splitByPartition(topicMessages, (topic) => this.partitionCounts.get(topic) ?? this.options.partitionsFor?.(topic), this.partitioner);
      const calls = groupByLeader(perPartition, (topic, partition) => this.leaders.get(topic)?.get(partition));
      const sent = await Promise.allSettled(calls.map((c) => this.sendChunk(c)));
      for (const s of sent) if (s.status === 'rejected') throw s.reason;
    }
  }

  /**
   * One kafkajs `sendBatch` (one partition, or a topic's records whose partition count is not known
   * yet), then the records of every partition the broker did not acknowledge again — a guard for
   * the multi-partition case: kafkajs 2.2.4 retries a failed send only to brokers that have not answered yet: when a
   * partition's leader dies and leadership moves to a broker that already acknowledged other
   * partitions of the same send, the partition's records are never sent, and `sendBatch` resolves
   * as if they had been (records silently lost; a transaction then commits without them). Their
   * partition is fixed on the message (partitioning.ts) and they were not written by the failed
   * request, or the idempotent producer's sequence numbers make the broker drop the repeat.
   */
  private async sendChunk(topicMessages: TopicMessages[]): Promise<void> {
    let pending = topicMessages;
    for (let attempt = 0; ; attempt++) {
      let acknowledged: RecordMetadata[];
      try {
        if (this.txn) acknowledged = await this.txn.sendBatch({ topicMessages: pending, acks: -1 });
        else acknowledged = await this.producer!.sendBatch({ topicMessages: pending, acks: -1 });
      } catch (e) {
        throw this.fail(e, 'send', pending.length === 1 ? { topic: pending[0]!.topic } : {});
      }
      // The same retry can send a partition twice: a broker that had not answered is sent every
      // partition it leads now, including one another broker already acknowledged (with a new
      // sequence number, so the broker keeps both). Inside a transaction that is repaired by
      // aborting it: the caller's retriable failure path does.
      const twice = acknowledgedTwice(acknowledged);
      if (twice.length > 0 && this.transactionalId !== undefined) {
        throw new TributaryError(`send: kafkajs wrote partitions ${twice.join(', ')} twice while leadership moved; the transaction must be aborted`, {
          code: 'KAFKA_CONNECTION',
          retriable: true,
          context: this.ctx(),
        });
      }
      pending = unacknowledged(pending, acknowledged);
      if (pending.length === 0) return;
      if (attempt >= UNACKNOWLEDGED_RESENDS) {
        const partitions = pending.flatMap((t) => [...new Set(t.messages.map((m) => m.partition))].map((p) => `${t.topic}-${p ?? '?'}`));
        throw new TributaryError(
          `send: the brokers did not acknowledge partitions ${partitions.join(', ')} after ${attempt + 1} attempts (leadership moving?)`,
          {
            code: 'KAFKA_CONNECTION',
            retriable: true,
            context: { ...this.ctx(), ...(pending.length === 1 ? { topic: pending[0]!.topic } : {}) },
          },
        );
      }
    }
  }

  async beginTransaction(): Promise<void> {
    this.guard();
    if (this.transactionalId === undefined) {
      throw new TributaryError('beginTransaction needs a producer created with a transactionalId', { code: 'CONFIG' });
    }
    if (this.txn) throw new TributaryError('a transaction is already open', { code: 'ILLEGAL_STATE', context: this.ctx() });
    try {
      if (this.needsReinit) {
        const old = this.producer!;
        this.producer = undefined;
        await old.disconnect().catch(() => undefined);
        const fresh = this.build();
        await fresh.connect();
        this.producer = fresh;
        this.needsReinit = false;
      }
      this.txn = await this.producer!.transaction();
    } catch (e) {
      throw this.fail(e, 'beginTransaction');
    }
  }

  private openTxn(what: string): KjsTransaction {
    this.guard();
    if (!this.txn) throw new TributaryError(`${what} outside a transaction`, { code: 'ILLEGAL_STATE', context: this.ctx() });
    return this.txn;
  }

  /**
   * kafkajs' TxnOffsetCommit carries no generation or member id, so `groupMetadata` cannot be
   * sent: offsets commit EOS v1-style (the runtime refuses exactly_once_v2 with kafkajs at start).
   */
  async sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[], _groupMetadata?: ConsumerGroupMetadata): Promise<void> {
    const txn = this.openTxn('sendOffsets');
    if (offsets.length === 0) return;
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push({ partition: o.partition, offset: String(o.offset) });
    }
    const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    for (let attempt = 0; ; attempt++) {
      try {
        await txn.sendOffsets({ consumerGroupId: groupId, topics });
        return;
      } catch (e) {
        const delay = SEND_OFFSETS_RETRY_DELAYS_MS[attempt];
        if (hasProtocolType(e, 'CONCURRENT_TRANSACTIONS') && delay !== undefined && !isFenced(e)) {
          await new Promise((r) => setTimeout(r, delay));
          continue;
        }
        throw this.fail(e, 'sendOffsets', { groupId });
      }
    }
  }

  async commitTransaction(): Promise<void> {
    await this.endTransaction(true);
  }

  async abortTransaction(): Promise<void> {
    await this.endTransaction(false);
  }

  private async endTransaction(commit: boolean): Promise<void> {
    const what = commit ? 'commitTransaction' : 'abortTransaction';
    const txn = this.openTxn(what);
    try {
      if (commit) await txn.commit();
      else await txn.abort();
      this.txn = undefined;
    } catch (e) {
      this.txn = undefined;
      const translated = this.fail(e, what);
      if (translated instanceof ProducerFencedError) throw translated;
      this.needsReinit = true;
      throw new TributaryError(
        `${what} failed; ${commit ? 'the outcome is unknown' : 'the broker will abort it'}; the producer re-initializes on the next beginTransaction: ${translated.message}`,
        { code: 'TRANSACTION', retriable: true, cause: translated, context: this.ctx() },
      );
    }
  }
}

export { chunkByPartitionBytes, MAX_PARTITION_BATCH_BYTES } from '../batch-bytes.js';
