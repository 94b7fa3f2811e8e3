/**
 * The kafkajs `Consumer`: a thin facade that holds what is said before `subscribe` / `assign`
 * (seeks, pauses) and then delegates to one class per mode. The group modes are a pull-style
 * consumer on top of kafkajs' push-style `run({ eachBatch })` (`group-consumer.ts`):
 *
 * ```
 *  kafkajs fetcher ──fetch──▶ workers (one per partition, concurrently)
 *        ▲                      │ eachBatch(batch): enqueue, then wait
 *        │                      ▼
 *        │                  [ queue ] ◀── poll(): rebalance callbacks, then take every queued batch,
 *        │                                       resolve its offset, release its worker
 *        └──── next fetch starts once every worker of the previous fetch was released
 * ```
 * So a poll hands out at most one fetch's worth of batches (one per partition), and kafkajs fetches
 * the next round while the caller processes this one (backpressure: nothing is fetched ahead of an
 * un-polled round). Offsets are never committed by kafkajs (`autoCommit: false`,
 * `eachBatchAutoResolve: false`): a batch's offset is resolved only when `poll` returns it, so the
 * fetch position moves past exactly what was handed out (control records at a batch's tail
 * included). Batches dropped by `seek`, `pause` or a rebalance are released unresolved and fetched
 * again from the right position.
 *
 * Rebalances: kafkajs only reports the new assignment (GROUP_JOIN) after it rejoined. The adapter
 * diffs it against the previous one and queues `revoked` / `assigned` partitions; the next `poll`
 * runs `onPartitionsRevoked` then `onPartitionsAssigned` before handing out any record. Revocation
 * is therefore reported after the group already moved on — safe for exactly-once (a new owner's
 * transactional producer fences ours), at-least-once may see duplicates. Partitions kept across a
 * rebalance continue from the last handed-out position, not from the committed offset.
 *
 * kafkajs heartbeats only between batches, so call `poll` more often than `sessionTimeoutMs` (like
 * Java's `max.poll.interval.ms`).
 *
 * Closing while kafkajs is still joining (before its first assignment, or rejoining after a crash):
 * kafkajs only leaves the group from a running consumer, and its crash handler restarts a consumer
 * whose join failed on the closed connection — a zombie member that takes partitions and never
 * hands them out. So no join starts once closed (the assignor's `protocol`, called for every
 * JoinGroup, throws: kafkajs bails without restarting), crashes never restart once closed, and
 * `close` lets a JoinGroup already sent finish (the coordinator counts the member in anyway; at
 * most about the rebalance timeout) before disconnecting, which then sends LeaveGroup.
 *
 * Manual assignment (`assign`): group-less, with Fetch requests on kafkajs' cluster
 * (`AssignedFetcher`, assigned.ts): no JoinGroup (~0.4 s saved per assign), no heartbeats, and an
 * exact `position()`. Only when kafkajs' internals are missing does it fall back to a throwaway
 * group (`<groupId>.assign.<uuid>`, never committed to, deleted on close) whose custom assignor
 * hands exactly the requested partitions to its single member. `commitOffsets` writes to the real
 * group through the admin API (group must be empty).
 */
import type { Kafka } from 'kafkajs';
import { TributaryError } from '../../errors.js';
import type { Consumer, ConsumerOptions, FetchedColumns, RebalanceListener, TopicPartition, TopicPartitionOffset, ConsumerGroupMetadata } from '../types.js';
import { AssignedFetcher } from './assigned.js';
import { partitionKey, type ConsumerMode, type KafkajsConsumerTuning } from './consumer-mode.js';
import { GroupConsumer, PrivateGroupConsumer } from './group-consumer.js';
import { kafkajsInternals } from './internals.js';

export type { KafkajsConsumerTuning } from './consumer-mode.js';

export class KafkajsConsumer implements Consumer {
  private connected = false;
  private closed = false;
  /** Set by the first `subscribe` or `assign`. */
  private mode: ConsumerMode | undefined;
  /** Seeks and pauses before a mode started; handed to it. */
  private readonly seeks = new Map<string, number>();
  private readonly paused = new Map<string, TopicPartition>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumerOptions,
    private readonly tuning: KafkajsConsumerTuning = {},
  ) {}

  async connect(): Promise<void> {
    if (this.closed) throw this.illegal('connect after close');
    // kafkajs implements the eager protocol only (every partition revoked on every rebalance).
    if (this.options.rebalanceProtocol === 'cooperative') {
      throw new TributaryError(
        "rebalanceProtocol 'cooperative' is not supported by the kafkajs client (eager only): set kafkaClient: 'platformatic', or rebalanceProtocol: 'eager'",
        { code: 'CONFIG', context: { groupId: this.options.groupId } },
      );
    }
    if (this.options.groupInstanceId !== undefined) {
      throw new TributaryError(
        "groupInstanceId (static membership) is not supported by the kafkajs client: use kafkaClient: 'platformatic' or remove groupInstanceId",
        { code: 'CONFIG', context: { groupId: this.options.groupId } },
      );
    }
    this.connected = true;
  }

  /** kafkajs exposes neither generation nor member id: never a member here (offsets sent with it commit EOS v1-style). */
  groupMetadata(): ConsumerGroupMetadata {
    return { groupId: this.options.groupId, generationId: -1, memberId: '', groupInstanceId: null };
  }

  private illegal(what: string): TributaryError {
    return new TributaryError(`consumer: ${what}`, { code: 'ILLEGAL_STATE', context: { groupId: this.options.groupId } });
  }

  private beginMode(): void {
    if (!this.connected) throw this.illegal('connect() first');
    if (this.mode !== undefined) throw this.illegal('subscribe/assign may be called once per consumer');
  }

  async subscribe(topics: readonly string[], listener?: RebalanceListener): Promise<void> {
    this.beginMode();
    const group = new GroupConsumer(this.kafka, this.options, this.tuning, this.seeks, [...this.paused.values()], listener);
    this.mode = group;
    try {
      await group.subscribe(topics);
    } catch (e) {
      this.mode = undefined;
      throw e;
    }
  }

  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    this.beginMode();
    const internals = kafkajsInternals(this.kafka);
    if (internals !== undefined) {
      const direct = new AssignedFetcher(this.kafka, internals, this.options, this.tuning.maxWaitTimeMs ?? 500);
      await direct.start(partitions, this.seeks);
      const wanted = new Set(partitions.map((tp) => partitionKey(tp.topic, tp.partition)));
      direct.pause([...this.paused].filter(([k]) => wanted.has(k)).map(([, tp]) => tp));
      this.mode = direct;
      return;
    }
    const fallback = new PrivateGroupConsumer(this.kafka, this.options, this.tuning, this.seeks, [...this.paused.values()]);
    this.mode = fallback;
    await fallback.assign(partitions);
  }

  poll(timeoutMs: number): Promise<FetchedColumns[]> {
    if (this.closed) return Promise.reject(this.illegal('poll after close'));
    if (this.mode === undefined) return Promise.reject(this.illegal('poll before subscribe or assign'));
    return this.mode.poll(timeoutMs);
  }

  seek(tp: TopicPartition, offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new TributaryError(`seek: invalid offset ${offset}`, { code: 'ILLEGAL_STATE', context: { ...tp } });
    if (this.mode !== undefined) return this.mode.seek(tp, offset);
    this.seeks.set(partitionKey(tp.topic, tp.partition), offset);
  }

  pause(tps: readonly TopicPartition[]): void {
    if (this.mode !== undefined) return this.mode.pause(tps);
    for (const tp of tps) this.paused.set(partitionKey(tp.topic, tp.partition), { topic: tp.topic, partition: tp.partition });
  }

  resume(tps: readonly TopicPartition[]): void {
    if (this.mode !== undefined) return this.mode.resume(tps);
    for (const tp of tps) this.paused.delete(partitionKey(tp.topic, tp.partition));
  }

  assignment(): TopicPartition[] {
    return this.mode === undefined ? [] : this.mode.assignment();
  }

  position(tp: TopicPartition): number | undefined {
    if (this.mode !== undefined) return this.mode.position(tp);
    return this.seeks.get(partitionKey(tp.topic, tp.partition));
  }

  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    if (this.mode === undefined) throw this.illegal('commitOffsets before subscribe or assign');
    return this.mode.commitOffsets(offsets);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mode?.close();
  }
}
