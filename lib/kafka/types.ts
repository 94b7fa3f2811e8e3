/**
 * The one seam between tributary and any Kafka client. Everything outside `lib/kafka/` depends on
 * these interfaces only; `kafkajs/` implements them over a real broker and `embedded/` in process.
 * Both pass the same conformance suite (`test/conformance/`).
 *
 * Shape rules:
 * - Bytes in, bytes out: keys and values are `Buffer | null`; serdes live above the seam.
 * - Offsets are JS numbers (safe to 2^53).
 * - Columnar and batch-oriented: `send` takes an `OutgoingBatch`, `poll` returns `FetchedColumns`
 *   (one encoding, `RecordColumns`), so the per-record path above the seam never awaits and no
 *   adapter builds an object per record unless its client library does.
 * - No optional methods: an adapter implements every member.
 * - Partitioning is done above the adapters with the Java-compatible murmur2 partitioner
 *   (`partitioner.ts`) whenever a record has no explicit partition, so both implementations route
 *   identically.
 */

export type Headers = Record<string, Buffer>;

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** For commits: the next offset to read (last processed + 1). */
  readonly offset: number;
}

/** A record to produce. When `partition` is absent it is chosen by murmur2 of the key bytes (Java-compatible), or round-robin for null keys. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Epoch milliseconds; defaults to now. */
  readonly timestamp?: number;
  readonly headers?: Headers;
}

/**
 * Records by column: the one encoding the seam uses for records in both directions
 * (`Consumer.poll` returns `FetchedColumns`, `Producer.send` takes an `OutgoingBatch`). No object
 * and no Buffer per record.
 *
 * - Record i's key is the bytes `[keyStarts[i], keyEnds[i])` of `keyChunks[i]`; a null chunk is a
 *   null key (its start and end are then meaningless). An empty key is a chunk with start = end.
 *   The value is the same in `valueChunks`, `valueStarts`, `valueEnds`.
 * - Many records share a chunk, and a record's key and value may lie in one chunk, in any order.
 *   Chunks are shared, never copied by the seam: nobody modifies bytes of a chunk once it is in a
 *   batch (a producer may keep them; a poller's caller may keep views of them).
 * - `headers` null: no record has headers; otherwise `headers[i]` (undefined: none).
 * - `timestamps[i]` is epoch milliseconds.
 * - The numeric columns may be typed arrays longer than `length`: read only `[0, length)`.
 *
 * `columns.ts` has helpers: `outgoingBatch(records)` and `fetchedRecords(columns)` convert from
 * and to record objects (tools and tests; the runtime stays on columns), `keyAt`/`valueAt` view one
 * record's bytes.
 */
export interface RecordColumns {
  readonly length: number;
  readonly timestamps: ArrayLike<number>;
  readonly keyChunks: readonly (Buffer | null)[];
  readonly keyStarts: ArrayLike<number>;
  readonly keyEnds: ArrayLike<number>;
  readonly valueChunks: readonly (Buffer | null)[];
  readonly valueStarts: ArrayLike<number>;
  readonly valueEnds: ArrayLike<number>;
  readonly headers: readonly (Headers | undefined)[] | null;
}

/**
 * Records to produce (`Producer.send`), encoded as `RecordColumns`. Record i goes to `topics[i]`,
 * partition `partitions[i]` (-1: chosen by murmur2 of the key bytes, Java-compatible, or
 * round-robin for a null key), at `timestamps[i]` (NaN: now). The producer keeps no reference to
 * the batch's arrays once `send` settles (the caller may reuse them), only to its chunks.
 */
export interface OutgoingBatch extends RecordColumns {
  readonly topics: readonly string[];
  readonly partitions: ArrayLike<number>;
}

/** A record as read from a partition (`fetchedRecords` of `FetchedColumns`). */
export interface IncomingRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/**
 * Records fetched from one partition (`Consumer.poll`), in offset order, encoded as
 * `RecordColumns`: record i has offset `offsets[i]`. Control records and aborted transactional
 * records (under read_committed) are never included; offsets may therefore have gaps.
 */
export interface FetchedColumns extends RecordColumns {
  readonly topic: string;
  readonly partition: number;
  readonly offsets: ArrayLike<number>;
  /** Last stable offset (read_committed) or high watermark, when known; -1 otherwise. */
  readonly highWatermark: number;
}

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly replicationFactor?: number;
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

export interface TopicDescription {
  readonly topic: string;
  readonly partitions: number;
  readonly configs: Readonly<Record<string, string>>;
}

export interface PartitionOffsets {
  readonly partition: number;
  /** Log start offset. */
  readonly low: number;
  /**
   * The end offset: the high watermark (next offset to be written) by default; under
   * `isolation: 'read_committed'` the last stable offset (first offset of the earliest still-open
   * transaction, else the high watermark) — where a read_committed consumer stops, as Java's
   * `Admin.listOffsets(latest, READ_COMMITTED)`. Both count transaction markers.
   */
  readonly high: number;
}

export interface FetchOffsetsOptions {
  /** Which end `high` reports. Default 'read_uncommitted' (high watermark). */
  readonly isolation?: 'read_committed' | 'read_uncommitted';
}

export interface Admin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /**
   * Creates the topics that do not exist yet. Existing topics are left alone (and not an error);
   * returns the names that were created.
   */
  createTopics(topics: readonly TopicSpec[]): Promise<string[]>;
  /**
   * Throws a `TributaryError` with code `TOPIC_NOT_FOUND` naming the topic when one is missing.
   * `configs: false` skips reading topic configs (then `configs` is empty): it needs only the
   * DESCRIBE ACL that READ or WRITE imply, not DESCRIBE_CONFIGS. Without DESCRIBE_CONFIGS on the
   * topics, `configs` is empty too (callers use the broker defaults) rather than an error.
   */
  describeTopics(topics: readonly string[], options?: { readonly configs?: boolean }): Promise<TopicDescription[]>;
  listTopics(): Promise<string[]>;
  /** Deletes the topics that exist; missing ones are ignored. */
  deleteTopics(topics: readonly string[]): Promise<void>;
  /** Earliest and latest offsets of every partition of the topic (see `PartitionOffsets.high`). */
  fetchTopicOffsets(topic: string, options?: FetchOffsetsOptions): Promise<PartitionOffsets[]>;
  /** Committed offsets of a consumer group for the given topics (partitions with none are omitted). */
  fetchCommittedOffsets(groupId: string, topics: readonly string[]): Promise<TopicPartitionOffset[]>;
  /** Deletes consumer groups (must have no active members); missing groups are ignored. */
  deleteGroups(groupIds: readonly string[]): Promise<void>;
}

export interface ProducerOptions {
  /** Enables transactions; the producer is fenced when another producer initializes with the same id. */
  readonly transactionalId?: string;
  /** Idempotent producer with acks=all (always true with a transactional id). Default true. */
  readonly idempotent?: boolean;
  /** Transaction timeout in ms (broker aborts an open transaction after it). Default 60000. */
  readonly transactionTimeoutMs?: number;
  readonly clientId?: string;
  /**
   * The largest record batch `topic` accepts (its `max.message.bytes`), when known: sends are
   * split so that no partition's batch in one request exceeds it. Default: the broker's default.
   */
  readonly maxBatchBytes?: (topic: string) => number | undefined;
  /**
   * The partition count of `topic`, when the caller knows it: records sent without a partition
   * are partitioned (as the producer would) before they are sent. Default: learned from the
   * cluster's metadata at the first send to the topic.
   */
  readonly partitionsFor?: (topic: string) => number | undefined;
}

/**
 * A producer. Non-transactional producers use `send` directly. Transactional producers call
 * `beginTransaction`, any number of `send`s and `sendOffsets`, then `commitTransaction` or
 * `abortTransaction`. A producer fenced by a newer instance with the same transactional id throws
 * `ProducerFencedError` from any call and must be discarded.
 */
export interface Producer {
  readonly transactionalId: string | undefined;
  /** Connects; for transactional producers also initializes the producer id (fencing older instances and aborting their open transaction). */
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /**
   * Sends a batch of records (acks=all, see `OutgoingBatch`); resolves when all are acknowledged.
   * Inside a transaction they become visible to read_committed consumers on commit. Records to one
   * partition are appended in batch order. An empty batch is a no-op.
   */
  send(batch: OutgoingBatch): Promise<void>;
  beginTransaction(): Promise<void>;
  /**
   * Adds consumed offsets (next offset to read) of `groupId` to the open transaction. Retries
   * CONCURRENT_TRANSACTIONS internally. With `groupMetadata` (the consuming member's
   * `Consumer.groupMetadata()`, exactly-once v2 / KIP-447) the group coordinator checks the
   * generation and member id and refuses a commit from an older generation: a `TaskMigratedError`
   * (code TASK_MIGRATED). Without it the offsets are committed for the group as a whole (EOS v1).
   */
  sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[], groupMetadata?: ConsumerGroupMetadata): Promise<void>;
  commitTransaction(): Promise<void>;
  abortTransaction(): Promise<void>;
  /** True while a transaction is open. */
  readonly inTransaction: boolean;
}

/**
 * Assignment changes of a group member (`Consumer.subscribe`). Under the eager protocol every
 * partition is revoked before each rebalance and the whole new assignment is then assigned; under
 * the cooperative protocol (KIP-429) only the partitions that move are revoked, and a moved
 * partition is assigned to its new owner in a follow-up rebalance, after its old owner's
 * `onPartitionsRevoked` completed.
 */
export interface RebalanceListener {
  /** Called before partitions are taken away (commit or abandon their work here). */
  onPartitionsRevoked(partitions: TopicPartition[]): void | Promise<void>;
  /** Called after new partitions are assigned and before any of their records are returned by `poll`. */
  onPartitionsAssigned(partitions: TopicPartition[]): void | Promise<void>;
}

/** The group's rebalance protocol: `'eager'` (every partition is revoked on every rebalance) or `'cooperative'` (KIP-429 incremental). */
export type RebalanceProtocol = 'eager' | 'cooperative';

/** A group member's identity in its current generation (Java's `ConsumerGroupMetadata`), for `Producer.sendOffsets`. */
export interface ConsumerGroupMetadata {
  readonly groupId: string;
  /** The generation the member joined; -1 when it is not (yet) a member. */
  readonly generationId: number;
  /** '' when the consumer is not (yet) a member. */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface ConsumerOptions {
  readonly groupId: string;
  /**
   * Static membership (`group.instance.id`, KIP-345): a member that leaves and comes back with the
   * same id within the session timeout gets its assignment back without a rebalance. Adapters that
   * cannot send it throw a `CONFIG` error at `connect`.
   */
  readonly groupInstanceId?: string;
  readonly clientId?: string;
  /** read_committed unless set. Default false. */
  readonly readUncommitted?: boolean;
  /** Where to start when the group has no committed offset. Default 'earliest'. */
  readonly autoOffsetReset?: 'earliest' | 'latest';
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly rebalanceTimeoutMs?: number;
  /** Upper bound of bytes fetched per partition per request. */
  readonly maxBytesPerPartition?: number;
  /**
   * The rebalance protocol (`subscribe`). Default: the adapter's own (cooperative where the client
   * supports it: platformatic; eager: kafkajs, embedded). An adapter that does not support the
   * requested protocol throws a `TributaryError` with code `CONFIG` from `connect`.
   */
  readonly rebalanceProtocol?: RebalanceProtocol;
}

/**
 * A group member with a pull-style API (`poll`), like the Java consumer. Offsets are never
 * committed automatically: under exactly-once they go through `Producer.sendOffsets`, under
 * at-least-once through `commitOffsets`.
 */
export interface Consumer {
  connect(): Promise<void>;
  /** Joins the group for these topics. The listener sees every assignment change. */
  subscribe(topics: readonly string[], listener?: RebalanceListener): Promise<void>;
  /**
   * Manual assignment without group membership (restoration, global tables, tools). Positions
   * start at the group's committed offset if any, else per `autoOffsetReset`; `seek` overrides.
   * Not combinable with `subscribe` on the same consumer.
   */
  assign(partitions: readonly TopicPartition[]): Promise<void>;
  /**
   * Returns the records fetched since the last call, one `FetchedColumns` per partition that has
   * any (possibly none after `timeoutMs`). Records of a partition come in offset order, starting at
   * the committed offset (or per `autoOffsetReset`), or at the position set by `seek`. Rebalance
   * callbacks run inside `poll`.
   */
  poll(timeoutMs: number): Promise<FetchedColumns[]>;
  /** The next `poll` returns records of the partition from `offset`. */
  seek(tp: TopicPartition, offset: number): void;
  pause(tps: readonly TopicPartition[]): void;
  resume(tps: readonly TopicPartition[]): void;
  assignment(): TopicPartition[];
  /**
   * The offset the next `poll` would return from for the partition: past the records handed out
   * and past control records and aborted data already fetched (so a consumer that read a
   * transactional log to its end is at the end offset, although the last offset is a commit
   * marker and was never returned). Undefined when unknown: unassigned partition, or a start
   * position (committed offset / reset policy) not resolved yet. State restoration and global
   * tables use it to see that a changelog has been read to its end.
   */
  position(tp: TopicPartition): number | undefined;
  /** The member's group id, generation and member id now (pass to `Producer.sendOffsets` under exactly-once v2). */
  groupMetadata(): ConsumerGroupMetadata;
  /** Commits offsets (next offset to read) for this group outside any transaction. */
  commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Leaves the group (triggering a rebalance for the others) and releases resources. */
  close(): Promise<void>;
}

/** A connection to one Kafka cluster (real or embedded) that makes admins, producers and consumers. */
export interface KafkaClient {
  /** Human-readable name of the implementation and its target, e.g. `kafkajs(127.0.0.1:9092)` or `embedded`. */
  readonly name: string;
  admin(): Admin;
  producer(options?: ProducerOptions): Producer;
  consumer(options: ConsumerOptions): Consumer;
}
