/**
 * Splitting a send into runs whose per-partition record batches stay under the broker's (or the
 * topic's) size limit; shared by the Kafka client adapters.
 */
import type { OutgoingBatch } from './types.js';

/** Upper bound of one partition's record batch per request, below the broker's default 1 MB message.max.bytes. */
export const MAX_PARTITION_BATCH_BYTES = 900 * 1024;

/** Per-record overhead in a v2 record batch (length, attributes, deltas, key/value lengths, header count: varints at their widest). */
const RECORD_OVERHEAD_BYTES = 36;

/** The record batch header (v2), counted once per batch against a topic's max.message.bytes. */
const BATCH_HEADER_BYTES = 61;

function recordBytes(b: OutgoingBatch, i: number): number {
  let n = RECORD_OVERHEAD_BYTES;
  if (b.keyChunks[i] !== null) n += b.keyEnds[i]! - b.keyStarts[i]!;
  if (b.valueChunks[i] !== null) n += b.valueEnds[i]! - b.valueStarts[i]!;
  const h = b.headers === null ? undefined : b.headers[i];
  if (h !== undefined) for (const k in h) n += Buffer.byteLength(k) + h[k]!.length + 10;
  return n;
}

/**
 * Splits a batch, keeping its order, into consecutive runs in which no partition (or topic, for
 * records whose partition is chosen later) collects more than `limit` bytes, nor more than its
 * topic's `topicLimit` less the batch header; returns the end index of each run. A run of one
 * record may exceed it; the broker then names the record as too large.
 */
export function chunkByPartitionBytes(b: OutgoingBatch, limit: number, topicLimit?: (topic: string) => number | undefined): number[] {
  const ends: number[] = [];
  let start = 0;
  let bytes = new Map<string, number>();
  const caps = new Map<string, number>();
  const capOf = (topic: string): number => {
    let cap = caps.get(topic);
    if (cap === undefined) {
      const t = topicLimit?.(topic);
      caps.set(topic, (cap = t === undefined ? limit : Math.min(limit, t - BATCH_HEADER_BYTES)));
    }
    return cap;
  };
  for (let i = 0; i < b.length; i++) {
    const topic = b.topics[i]!;
    const partition = b.partitions[i]!;
    const key = partition === -1 ? topic : `${topic}\u0000${partition}`;
    const size = recordBytes(b, i);
    const used = bytes.get(key) ?? 0;
    if (used + size > capOf(topic) && i > start) {
      ends.push(i);
      start = i;
      bytes = new Map();
    }
    bytes.set(key, (bytes.get(key) ?? 0) + size);
  }
  if (b.length > start) ends.push(b.length);
  return ends;
}
