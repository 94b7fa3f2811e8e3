/**
 * Fetched record batches → `FetchedColumns` for the platformatic consumer (`consumer.ts`): each key
 * and value is its own chunk (platformatic decodes them as Buffers); control records and records
 * below the fetch position are skipped; under read_committed, aborted transactions are dropped as
 * the Java consumer drops them (the broker's aborted-transaction list, activated as the batches
 * reach each transaction's first offset, ended by the producer's abort marker), so a fetch that
 * ends inside an aborted transaction never hands out its records.
 */
import type { RecordsBatch } from '@platformatic/kafka';
import type { FetchedColumns, Headers } from '../types.js';

const IS_TRANSACTIONAL = 0x10;
const IS_CONTROL = 0x20;
const LOG_APPEND_TIME = 0x08;

/**
 * Record batches of one partition's fetch as columns, from `position` on, without control records
 * and — under read_committed (`aborted` not null: the broker's aborted-transaction list) — without
 * the records of aborted transactions. `next` is the position after the last batch (control and
 * aborted batches included).
 */
export function batchColumns(
  topic: string,
  partition: number,
  position: number,
  batches: readonly RecordsBatch[],
  aborted: readonly { producerId: bigint; firstOffset: bigint }[] | null,
  highWatermark: number,
): { columns: FetchedColumns; next: number } {
  const offsets: number[] = [];
  const timestamps: number[] = [];
  const keyChunks: (Buffer | null)[] = [];
  const keyStarts: number[] = [];
  const keyEnds: number[] = [];
  const valueChunks: (Buffer | null)[] = [];
  const valueStarts: number[] = [];
  const valueEnds: number[] = [];
  let headers: (Headers | undefined)[] | null = null;
  let next = position;
  // The Java consumer's algorithm: aborted transactions (by first offset) become active as the
  // batches reach them; a producer's abort marker ends its aborted transaction.
  const readCommitted = aborted !== null;
  const pendingAborts = readCommitted ? [...aborted!].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0)) : [];
  const abortedProducers = new Set<bigint>();
  for (const b of batches) {
    const lastOffset = Number(b.firstOffset) + b.lastOffsetDelta;
    if (lastOffset < next) continue;
    if (readCommitted && (b.attributes & IS_TRANSACTIONAL) !== 0) {
      while (pendingAborts.length > 0 && Number(pendingAborts[0]!.firstOffset) <= lastOffset) abortedProducers.add(pendingAborts.shift()!.producerId);
    }
    if ((b.attributes & IS_CONTROL) !== 0) {
      // Control record key: version (int16), type (int16): 0 abort, 1 commit.
      const type = b.records[0]?.key?.readInt16BE(2);
      if (type === 0) abortedProducers.delete(b.producerId);
      next = lastOffset + 1;
      continue;
    }
    if (readCommitted && (b.attributes & IS_TRANSACTIONAL) !== 0 && abortedProducers.has(b.producerId)) {
      next = lastOffset + 1;
      continue;
    }
    const logAppend = (b.attributes & LOG_APPEND_TIME) !== 0;
    const first = Number(b.firstOffset);
    for (const r of b.records) {
      const offset = first + r.offsetDelta;
      if (offset < next) continue;
      offsets.push(offset);
      timestamps.push(logAppend ? Number(b.maxTimestamp) : Number(b.firstTimestamp + r.timestampDelta));
      keyChunks.push(r.key);
      keyStarts.push(0);
      keyEnds.push(r.key === null ? 0 : r.key.length);
      valueChunks.push(r.value);
      valueStarts.push(0);
      valueEnds.push(r.value === null ? 0 : r.value.length);
      if (r.headers.length > 0) {
        const h: Record<string, Buffer> = {};
        for (const [hk, hv] of r.headers) if (hk !== null) h[hk.toString('utf8')] = hv ?? Buffer.alloc(0);
        (headers ??= new Array<Headers | undefined>(offsets.length - 1))[offsets.length - 1] = h;
      } else if (headers !== null) headers.push(undefined);
    }
    next = lastOffset + 1;
  }
  if (headers !== null) headers.length = offsets.length;
  return {
    columns: {
      topic,
      partition,
      length: offsets.length,
      offsets,
      timestamps,
      keyChunks,
      keyStarts,
      keyEnds,
      valueChunks,
      valueStarts,
      valueEnds,
      headers,
      highWatermark,
    },
    next,
  };
}
