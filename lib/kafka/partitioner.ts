/**
 * Java-compatible partitioning. Keyed records go to
 * `toPositive(murmur2(keyBytes)) % numPartitions`, exactly as the Java producer's built-in
 * partitioner (and Kafka Streams) do, so tributary and Java apps agree on co-partitioning.
 * Null keys are spread per topic, round-robin by default or sticky (a run of records per
 * partition, like the Java producer's batch stickiness).
 *
 * Verified against vectors printed by `org.apache.kafka.common.utils.Utils` (scripts/murmur2-vectors/).
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * MurmurHash2 of the bytes, byte-for-byte as Java's `Utils.murmur2(byte[])`: seed 0x9747b28c,
 * little-endian 4-byte blocks, signed 32-bit result. Pure arithmetic, no allocation. With
 * `start`/`end`: the hash of `bytes[start, end)`, without a view.
 */
export function murmur2(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const length = end - start;
  let h = (SEED ^ length) | 0;
  const blocksEnd = start + (length & ~3);
  for (let i = start; i < blocksEnd; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail !== 0) {
    if (tail === 3) h ^= bytes[blocksEnd + 2]! << 16;
    if (tail >= 2) h ^= bytes[blocksEnd + 1]! << 8;
    h ^= bytes[blocksEnd]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's `Utils.toPositive`: clears the sign bit (not `Math.abs`, which differs for MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

function checkPartitions(numPartitions: number): void {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
  }
}

/** The partition a keyed record goes to: `toPositive(murmur2(key)) % numPartitions`. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  checkPartitions(numPartitions);
  return toPositive(murmur2(key)) % numPartitions;
}

export interface NullKeyPartitionerOptions {
  /**
   * `round-robin` (default): consecutive null-key records of a topic cycle through the partitions.
   * `sticky`: `stickyRecords` records in a row go to one partition, then a different one is picked.
   */
  readonly mode?: 'round-robin' | 'sticky';
  /** Records per sticky run. Default 100. */
  readonly stickyRecords?: number;
  /** Source of randomness in [0, 1) for starting points and sticky switches. Default `Math.random`. */
  readonly random?: () => number;
}

interface TopicCursor {
  next: number;
  remaining: number;
}

/** Chooses partitions for records without a key; state is per topic. */
export class NullKeyPartitioner {
  private readonly cursors = new Map<string, TopicCursor>();
  private readonly sticky: boolean;
  private readonly stickyRecords: number;
  private readonly random: () => number;

  constructor(options: NullKeyPartitionerOptions = {}) {
    this.sticky = options.mode === 'sticky';
    this.stickyRecords = options.stickyRecords ?? 100;
    if (!Number.isInteger(this.stickyRecords) || this.stickyRecords < 1) {
      throw new RangeError(`stickyRecords must be a positive integer, got ${this.stickyRecords}`);
    }
    this.random = options.random ?? Math.random;
  }

  partition(topic: string, numPartitions: number): number {
    checkPartitions(numPartitions);
    let cursor = this.cursors.get(topic);
    if (cursor === undefined) {
      cursor = { next: Math.floor(this.random() * numPartitions), remaining: this.stickyRecords };
      this.cursors.set(topic, cursor);
    }
    if (!this.sticky) {
      const p = cursor.next % numPartitions;
      cursor.next = (p + 1) % numPartitions;
      return p;
    }
    if (cursor.remaining === 0) {
      cursor.remaining = this.stickyRecords;
      if (numPartitions > 1) {
        // a different partition than the current one, uniformly
        const offset = 1 + Math.floor(this.random() * (numPartitions - 1));
        cursor.next = (cursor.next + offset) % numPartitions;
      }
    }
    cursor.remaining--;
    return cursor.next % numPartitions;
  }
}

/** The default partitioner: murmur2 for keyed records, `NullKeyPartitioner` for null keys. */
export class DefaultPartitioner {
  private readonly nullKeys: NullKeyPartitioner;

  constructor(options: NullKeyPartitionerOptions = {}) {
    this.nullKeys = new NullKeyPartitioner(options);
  }

  partition(topic: string, key: Uint8Array | null, numPartitions: number): number {
    return key === null ? this.nullKeys.partition(topic, numPartitions) : partitionForKey(key, numPartitions);
  }
}
