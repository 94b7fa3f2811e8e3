/**
 * Replaces kafkajs' filter of aborted transactional records with a correct one, before kafkajs
 * loads. Import this module (for its side effect) ahead of `kafkajs` in every file of this
 * directory.
 *
 * kafkajs 2.2.4 activates at most one aborted transaction per record it examines and assumes the
 * broker's aborted-transaction list is sorted. When a fetch starts inside the open transactions of
 * several producers (small fetches, many transactional writers: a dead-letter or repartition topic
 * written by several tasks), records of an aborted transaction leak to read_committed consumers.
 * The conformance test "read_committed hides aborted transactions of several interleaved producers"
 * reproduces it against a real broker. This version follows the Kafka protocol: aborted
 * transactions ordered by first offset; every one whose first offset is at or before the current
 * record is active for its producer until that producer's abort marker.
 */
import { createRequire } from 'node:module';
import './request-queue-timer.js';

interface KjsMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly isControlRecord?: boolean;
  readonly batchContext: { readonly producerId: string | number; readonly inTransaction: boolean };
}
interface KjsAbortedTransaction {
  readonly producerId: string | number;
  readonly firstOffset: string | number;
}

function isAbortMarker(message: KjsMessage): boolean {
  const key = message.key;
  // Control record key: int16 version, int16 type (0 = ABORT, 1 = COMMIT).
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === 0;
}

export function filterAbortedMessages({
  messages,
  abortedTransactions,
}: {
  messages: KjsMessage[];
  abortedTransactions?: readonly KjsAbortedTransaction[];
}): KjsMessage[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const pending = abortedTransactions
    .map((t) => ({ producerId: String(t.producerId), firstOffset: BigInt(t.firstOffset) }))
    .sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  const active = new Set<string>();
  let next = 0;
  return messages.filter((message) => {
    const offset = BigInt(message.offset);
    while (next < pending.length && pending[next]!.firstOffset <= offset) active.add(pending[next++]!.producerId);
    const producerId = String(message.batchContext.producerId);
    if (message.isControlRecord) {
      if (isAbortMarker(message)) active.delete(producerId);
      return true; // control records are dropped later by kafkajs' Batch
    }
    return !(message.batchContext.inTransaction && active.has(producerId));
  });
}

const require = createRequire(import.meta.url);
const kafkajsEntry = require.resolve('kafkajs');
const filterPath = require.resolve('./src/consumer/filterAbortedMessages.js', { paths: [kafkajsEntry.replace(/index\.js$/, '')] });
const batchPath = filterPath.replace(/filterAbortedMessages\.js$/, 'batch.js');
if (require.cache[batchPath] !== undefined) {
  process.emitWarning(
    'kafkajs was loaded before lib/kafka/kafkajs/aborted-filter.ts: its read_committed filter of aborted transactions is not corrected in this process. Import the tributary Kafka adapter (or this module) before kafkajs.',
    { code: 'TRIBUTARY_KAFKAJS_ABORTED_FILTER' },
  );
}
const original = require(filterPath) as unknown;
if (typeof original !== 'function') throw new Error(`unexpected kafkajs layout: ${filterPath} does not export a function`);
require.cache[filterPath]!.exports = filterAbortedMessages;
