/**
 * `Producer` over a @platformatic/kafka producer: idempotent, acks=all. The seam's columns become
 * platformatic messages with an explicit partition (chosen above the client by tributary's
 * Java-compatible partitioner when the record has none), one `send` per size-bounded run of the
 * batch (`chunkByPartitionBytes`), one after another: platformatic fails concurrent sends inside
 * one transaction ("Producing messages failed.").
 *
 * Transactions: platformatic sends InitProducerId (with the transactional id) only when its first
 * transaction begins, so `connect` begins one and cancels it locally: that fences any older
 * instance with the same transactional id and aborts its open transaction, as the seam promises.
 * `sendOffsets` adds the group (AddOffsetsToTxn) and then one TxnOffsetCommit per partition (the
 * only form platformatic offers), with the consumer's generation and member id when the caller
 * passes its group metadata (exactly-once v2, KIP-447; platformatic sends no group instance id),
 * else with generation -1 (EOS v1-style). A stale generation → `TaskMigratedError`.
 *
 * Failure handling: fenced (INVALID_PRODUCER_EPOCH, PRODUCER_FENCED) → `ProducerFencedError` from
 * then on (platformatic itself would silently re-initialize a fenced producer on the next
 * `beginTransaction`, taking the id over again); any other failure of commit/abort → a retriable
 * `TRANSACTION` error, and the platformatic producer is replaced on the next `beginTransaction`,
 * whose InitProducerId aborts the transaction if it is still open.
 */
import {
  addPartitionsToTxnV3,
  FindCoordinatorKeyTypes,
  kGetApi,
  kGetConnection,
  kMetadata,
  Producer as PltProducer,
  ProduceAcks,
  type Base,
  type MessageToProduce,
} from '@platformatic/kafka';
import { ProducerFencedError, TaskMigratedError, TributaryError } from '../../errors.js';
import { chunkByPartitionBytes, MAX_PARTITION_BATCH_BYTES } from '../batch-bytes.js';
import { keyAt, valueAt } from '../columns.js';
import { DefaultPartitioner } from '../partitioner.js';
import type { ConsumerGroupMetadata, OutgoingBatch, Producer, ProducerOptions, TopicPartitionOffset } from '../types.js';
import { overrideApi } from './api-override.js';
import { apiIdOf, hasApiId, isFenced, translateError } from './errors.js';
import type { PlatformaticBase } from './client.js';

/** TxnOffsetCommit errors of a member from an older generation (KIP-447 zombie fencing). */
const STALE_MEMBER = ['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID', 'REBALANCE_IN_PROGRESS'];

type Transaction = Awaited<ReturnType<PltProducer['beginTransaction']>>;

/** The arguments of platformatic's TxnOffsetCommit API after the connection. */
type TxnOffsetCommitArgs = [
  transactionalId: string,
  groupId: string,
  producerId: bigint,
  producerEpoch: number,
  generationId: number,
  memberId: string,
  groupInstanceId: string | null,
  topics: { name: string; partitions: { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: null }[] }[],
];

/** What `txnOffsetCommit` uses of a platformatic producer: its metadata, connections and APIs (exported symbols). */
type ProducerInternals = Pick<Base, typeof kMetadata | typeof kGetConnection | typeof kGetApi> & {
  readonly producerId: bigint | undefined;
  readonly producerEpoch: number | undefined;
};

const SEND_OFFSETS_RETRY_DELAYS_MS = [20, 50, 100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000];

/** Largest timestamp distance from the first record of a partition's batch platformatic encodes correctly. */
const MAX_TIMESTAMP_DELTA = 2n ** 31n - 1n;

/**
 * Splits messages, in order, into runs in which every record's timestamp lies within ±(2^31 - 1) ms
 * of the first timestamp of its partition in the run: @platformatic/dynamic-buffer 0.3 encodes a
 * record's timestamp delta (varint64) wrongly beyond 32 bits (zig-zag shifts by 31, and the
 * continuation test masks 32 bits), so a batch mixing, say, `now` with a timestamp of 1970 would
 * be written with wrong timestamps.
 */
export function timestampRuns(messages: MessageToProduce[]): MessageToProduce[][] {
  const runs: MessageToProduce[][] = [];
  let run: MessageToProduce[] = [];
  let first = new Map<string, bigint>();
  for (const m of messages) {
    const k = `${m.partition ?? -1}\u0000${m.topic}`;
    const ts = m.timestamp!;
    const f = first.get(k);
    if (f === undefined) first.set(k, ts);
    else if (ts - f > MAX_TIMESTAMP_DELTA || f - ts > MAX_TIMESTAMP_DELTA) {
      runs.push(run);
      run = [];
      first = new Map([[k, ts]]);
    }
    run.push(m);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * Makes the producer send AddPartitionsToTxn as version 3. platformatic picks the highest version
 * the broker offers, and versions 4 and up are the brokers' own (KIP-890 verification, needing
 * CLUSTER_ACTION on the cluster): a principal with only an application's ACLs is refused with
 * CLUSTER_AUTHORIZATION_FAILED (the Java producer sends version 3). Version 3 needs Kafka >= 2.8.
 */
function clientAddPartitionsToTxn(producer: PltProducer): PltProducer {
  return overrideApi(producer, 'AddPartitionsToTxn', () => addPartitionsToTxnV3.api);
}

export class PlatformaticProducer implements Producer {
  readonly transactionalId: string | undefined;
  private producer: PltProducer | undefined;
  private txn: Transaction | undefined;
  /** Whether the open transaction has records or offsets (an empty one ends locally: EndTxn would be refused). */
  private txnUsed = false;
  private connected = false;
  private fenced: ProducerFencedError | undefined;
  private needsReinit = false;
  private readonly partitioner = new DefaultPartitioner();
  private readonly partitionCounts = new Map<string, number>();
  private readonly coordinators = new Map<string, number>();

  constructor(
    private readonly base: PlatformaticBase,
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

  private build(): PltProducer {
    const transactional = this.transactionalId !== undefined;
    return clientAddPartitionsToTxn(
      new PltProducer({
        ...this.base.options,
        clientId: this.options.clientId ?? this.base.options.clientId,
        idempotent: transactional || this.options.idempotent !== false,
        acks: ProduceAcks.ALL,
        autocreateTopics: false,
        // InitProducerId of a new producer: -1/-1 (platformatic sends 0/0, which KIP-360 brokers read
        // as "bump epoch 0 of producer 0" and answer PRODUCER_FENCED once the id has a producer).
        producerId: -1n,
        producerEpoch: -1,
        ...(transactional ? { transactionalId: this.transactionalId, timeout: this.options.transactionTimeoutMs ?? 60000 } : {}),
      }),
    );
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

  /** Begins a platformatic transaction and cancels it locally: InitProducerId for the transactional id. */
  private async initTransactions(producer: PltProducer): Promise<void> {
    const t = await producer.beginTransaction();
    await t.cancel();
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    const producer = this.build();
    try {
      await producer.metadata({ topics: [] });
      if (this.transactionalId !== undefined) await this.initTransactions(producer);
    } catch (e) {
      await producer.close(true).catch(() => undefined);
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
    if (p) await p.close(true).catch(() => undefined);
  }

  private async partitionCount(topic: string): Promise<number> {
    let n = this.partitionCounts.get(topic) ?? this.options.partitionsFor?.(topic);
    if (n === undefined) {
      try {
        const meta = await this.producer!.metadata({ topics: [topic] });
        n = meta.topics.get(topic)?.partitionsCount;
      } catch (e) {
        throw this.fail(e, 'send', { topic });
      }
      if (n === undefined || n <= 0) throw new TributaryError(`topic ${topic} does not exist`, { code: 'TOPIC_NOT_FOUND', context: { topic } });
      this.partitionCounts.set(topic, n);
    }
    return n;
  }

  private async messages(b: OutgoingBatch, from: number, to: number): Promise<MessageToProduce[]> {
    const out = new Array<MessageToProduce>(to - from);
    const { topics, partitions, timestamps, headers } = b;
    const now = BigInt(Date.now());
    // Partition counts of the topics whose records the partitioner places, looked up before the
    // loop: the per-record path never awaits.
    let counts: Map<string, number> | undefined;
    for (let i = from; i < to; i++) {
      if (partitions[i] !== -1) continue;
      const topic = topics[i]!;
      if (counts?.has(topic) !== true) (counts ??= new Map()).set(topic, await this.partitionCount(topic));
    }
    for (let i = from; i < to; i++) {
      const topic = topics[i]!;
      const key = keyAt(b, i);
      let partition = partitions[i]!;
      if (partition === -1) partition = this.partitioner.partition(topic, key, counts!.get(topic)!);
      const value = valueAt(b, i);
      // platformatic writes an absent key or value as null (length -1), an empty Buffer as empty.
      const m: MessageToProduce = { topic, partition };
      if (key !== null) m.key = key;
      if (value !== null) m.value = value;
      const ts = timestamps[i]!;
      m.timestamp = ts === ts ? BigInt(Math.trunc(ts)) : now;
      const h = headers === null ? undefined : headers[i];
      if (h !== undefined) m.headers = new Map(Object.entries(h).map(([k, v]) => [Buffer.from(k), v])) as unknown as Map<Buffer, Buffer>;
      out[i - from] = m;
    }
    return out;
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
    const ends = chunkByPartitionBytes(batch, MAX_PARTITION_BATCH_BYTES, this.options.maxBatchBytes);
    let from = 0;
    for (const to of ends) {
      const all = await this.messages(batch, from, to);
      from = to;
      for (const messages of timestampRuns(all)) await this.sendRun(messages);
    }
  }

  private async sendRun(messages: MessageToProduce[]): Promise<void> {
    try {
      if (this.txn) {
        this.txnUsed = true;
        await this.txn.send({ messages });
      } else await this.producer!.send({ messages });
    } catch (e) {
      // platformatic has counted the refused records' sequence numbers: the next transaction's
      // first produce would be refused as OUT_OF_ORDER_SEQUENCE_NUMBER. Like the Java producer
      // after an abortable error, bump the epoch (InitProducerId) before the next transaction.
      if (this.txn) this.needsReinit = true;
      throw this.fail(e, 'send', messages.length > 0 ? { topic: messages[0]!.topic } : {});
    }
  }

  async beginTransaction(): Promise<void> {
    this.guard();
    if (this.transactionalId === undefined) throw new TributaryError('beginTransaction needs a producer created with a transactionalId', { code: 'CONFIG' });
    if (this.txn) throw new TributaryError('a transaction is already open', { code: 'ILLEGAL_STATE', context: this.ctx() });
    try {
      if (this.needsReinit) {
        const old = this.producer!;
        this.producer = undefined;
        await old.close(true).catch(() => undefined);
        const fresh = this.build();
        await this.initTransactions(fresh);
        this.producer = fresh;
        this.needsReinit = false;
      }
      this.txn = await this.producer!.beginTransaction();
      this.txnUsed = false;
    } catch (e) {
      throw this.fail(e, 'beginTransaction');
    }
  }

  private openTxn(what: string): Transaction {
    this.guard();
    if (!this.txn) throw new TributaryError(`${what} outside a transaction`, { code: 'ILLEGAL_STATE', context: this.ctx() });
    return this.txn;
  }

  private async groupCoordinator(groupId: string): Promise<number> {
    let id = this.coordinators.get(groupId);
    if (id === undefined) {
      const admin = this.base.admin();
      try {
        const [found] = await admin.findCoordinator({ keyType: FindCoordinatorKeyTypes.GROUP, keys: [groupId] });
        if (found === undefined) throw new TributaryError(`no coordinator for group ${groupId}`, { code: 'KAFKA', retriable: true });
        id = found.nodeId;
      } finally {
        await admin.close().catch(() => undefined);
      }
      this.coordinators.set(groupId, id);
    }
    return id;
  }

  async sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[], groupMetadata?: ConsumerGroupMetadata): Promise<void> {
    const txn = this.openTxn('sendOffsets');
    if (offsets.length === 0) return;
    for (let attempt = 0; ; attempt++) {
      try {
        const coordinatorId = await this.groupCoordinator(groupId);
        this.txnUsed = true;
        // Only `groupId` is read from the consumer by AddOffsetsToTxn.
        await txn.addConsumer({ groupId } as unknown as Parameters<Transaction['addConsumer']>[0]);
        await this.txnOffsetCommit(groupId, coordinatorId, offsets, groupMetadata);
        return;
      } catch (e) {
        const delay = SEND_OFFSETS_RETRY_DELAYS_MS[attempt];
        // The coordinator moved or its broker is down (not in the metadata, connection lost): find
        // it again and retry — TxnOffsetCommit may be repeated within a transaction.
        const coordinatorGone =
          hasApiId(e, 'NOT_COORDINATOR') ||
          hasApiId(e, 'COORDINATOR_NOT_AVAILABLE') ||
          hasApiId(e, 'COORDINATOR_LOAD_IN_PROGRESS') ||
          (e instanceof TributaryError && e.code === 'KAFKA' && e.retriable) ||
          (e as { code?: unknown }).code === 'PLT_KFK_NETWORK';
        if (coordinatorGone) this.coordinators.delete(groupId);
        if ((hasApiId(e, 'CONCURRENT_TRANSACTIONS') || coordinatorGone) && delay !== undefined && !isFenced(e)) {
          await new Promise((r) => setTimeout(r, delay));
          continue;
        }
        if (STALE_MEMBER.some((id) => hasApiId(e, id))) {
          throw new TaskMigratedError(
            `sendOffsets refused by the group coordinator of '${groupId}' (${apiIdOf(e)}): this member's generation ${groupMetadata?.generationId ?? -1} is no longer current; another member owns the partitions`,
            { cause: e, context: { ...this.ctx(), groupId } },
          );
        }
        throw this.fail(e, 'sendOffsets', { groupId });
      }
    }
  }

  /**
   * One TxnOffsetCommit for all `offsets` (platformatic's `addOffset` sends one request per
   * partition, one after another), through the client's own connection to the group coordinator,
   * with the group's generation, member id and group instance id when given (KIP-447: the
   * coordinator refuses a zombie's offsets), else generation -1 (the v1 form).
   */
  private txnOffsetCommit(groupId: string, coordinatorId: number, offsets: readonly TopicPartitionOffset[], gm?: ConsumerGroupMetadata): Promise<void> {
    const producer = this.producer as unknown as ProducerInternals;
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: null }[]>();
    for (const o of offsets) {
      let l = byTopic.get(o.topic);
      if (!l) byTopic.set(o.topic, (l = []));
      l.push({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1, committedMetadata: null });
    }
    const topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    const member = gm !== undefined && gm.generationId >= 0;
    const producerId = producer.producerId;
    const producerEpoch = producer.producerEpoch;
    if (producerId === undefined || producerEpoch === undefined || this.transactionalId === undefined) {
      return Promise.reject(new TributaryError('sendOffsets before the producer was initialized', { code: 'ILLEGAL_STATE', context: this.ctx() }));
    }
    return new Promise<void>((resolve, reject) => {
      producer[kMetadata]({ topics: [...byTopic.keys()] }, (error, metadata) => {
        if (error || metadata === undefined) return reject(error);
        const broker = metadata.brokers.get(coordinatorId);
        if (broker === undefined) {
          this.coordinators.delete(groupId);
          return reject(new TributaryError(`the coordinator ${coordinatorId} of group ${groupId} is not in the metadata`, { code: 'KAFKA', retriable: true }));
        }
        producer[kGetConnection](broker, (error, connection) => {
          if (error || connection === undefined) return reject(error);
          producer[kGetApi]<TxnOffsetCommitArgs, unknown>('TxnOffsetCommit', (error, api) => {
            if (error || api === undefined) return reject(error);
            api(
              connection,
              this.transactionalId!,
              groupId,
              producerId,
              producerEpoch,
              member ? gm.generationId : -1,
              member ? gm.memberId : '',
              member ? gm.groupInstanceId : null,
              topics,
              (error) => (error ? reject(error) : resolve()),
            );
          });
        });
      });
    });
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
      if (!this.txnUsed) await txn.cancel();
      else if (commit) await txn.commit();
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
