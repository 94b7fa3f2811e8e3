/**
 * The transaction coordinator of the embedded broker, one state per transactional id.
 *
 * ```
 *  initProducerId ──▶ epoch+1 (older instances fenced; their open transaction aborted)
 *        │
 *   first send/sendOffsets ──▶ Ongoing (timeout timer starts; records take offsets, LSO held)
 *        │                           │ timeout: abort + epoch+1 (the producer is fenced)
 *        ▼                           ▼
 *   commit ──▶ COMMIT marker per partition, pending offsets → group      abort ──▶ ABORT markers
 * ```
 *
 * Every call carries the caller's epoch; a stale epoch throws `ProducerFencedError`.
 */
import { ProducerFencedError } from '../../errors.js';
import type { TopicPartitionOffset } from '../types.js';
import type { PartitionLog, TxnMark } from './partition-log.js';
import type { TimerSet } from './signal.js';

export interface OffsetSink {
  /** Applies the offsets a committed transaction carried to the group's committed offsets. */
  commitTransactionalOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): void;
}

interface OngoingTxn {
  readonly mark: TxnMark;
  readonly partitions: Set<PartitionLog>;
  /** groupId → "topic\0partition" → offset; the latest sendOffsets wins. */
  readonly offsets: Map<string, Map<string, TopicPartitionOffset>>;
  timer: NodeJS.Timeout | null;
}

interface TransactionalState {
  readonly transactionalId: string;
  readonly producerId: number;
  epoch: number;
  timeoutMs: number;
  ongoing: OngoingTxn | null;
}

export class TransactionCoordinator {
  private readonly states = new Map<string, TransactionalState>();
  private nextProducerId = 1000;

  constructor(
    private readonly timers: TimerSet,
    private readonly offsets: OffsetSink,
  ) {}

  /** A producer id for a non-transactional (idempotent) producer. */
  allocateProducerId(): number {
    return this.nextProducerId++;
  }

  /**
   * InitProducerId: aborts the open transaction of any older instance, bumps the epoch (fencing
   * the older instances) and returns the new producer id and epoch.
   */
  initProducerId(transactionalId: string, timeoutMs: number): { producerId: number; epoch: number } {
    let state = this.states.get(transactionalId);
    if (state === undefined) {
      state = { transactionalId, producerId: this.nextProducerId++, epoch: -1, timeoutMs, ongoing: null };
      this.states.set(transactionalId, state);
    }
    if (state.ongoing !== null) this.end(state, 'aborted');
    state.epoch += 1;
    state.timeoutMs = timeoutMs;
    return { producerId: state.producerId, epoch: state.epoch };
  }

  /** Throws `ProducerFencedError` unless `epoch` is the current epoch of the id. */
  checkEpoch(transactionalId: string, epoch: number): void {
    const state = this.states.get(transactionalId);
    if (state === undefined || state.epoch !== epoch) {
      throw new ProducerFencedError(
        `Producer with transactional id '${transactionalId}' (epoch ${epoch}) was fenced by a newer instance or a transaction timeout`,
        { context: { transactionalId } },
      );
    }
  }

  /**
   * The mark for records of the ongoing transaction, after registering `partition` in it
   * (AddPartitionsToTxn). Starts the transaction and its timeout on first use.
   */
  addPartition(transactionalId: string, epoch: number, partition: PartitionLog): TxnMark {
    const txn = this.ongoing(transactionalId, epoch);
    txn.partitions.add(partition);
    return txn.mark;
  }

  /** TxnOffsetCommit: offsets that become the group's committed offsets when the transaction commits. */
  addOffsets(transactionalId: string, epoch: number, groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    const txn = this.ongoing(transactionalId, epoch);
    let group = txn.offsets.get(groupId);
    if (group === undefined) {
      group = new Map();
      txn.offsets.set(groupId, group);
    }
    for (const o of offsets) group.set(`${o.topic}\0${o.partition}`, { topic: o.topic, partition: o.partition, offset: o.offset });
  }

  /** EndTxn: commits or aborts the ongoing transaction (a no-op when nothing was sent in it). */
  endTransaction(transactionalId: string, epoch: number, commit: boolean): void {
    this.checkEpoch(transactionalId, epoch);
    const state = this.states.get(transactionalId)!;
    if (state.ongoing !== null) this.end(state, commit ? 'committed' : 'aborted');
  }

  producerIdOf(transactionalId: string): number {
    return this.states.get(transactionalId)?.producerId ?? -1;
  }

  /** Aborts every ongoing transaction whose partition list includes a deleted log. */
  forgetPartitions(logs: readonly PartitionLog[]): void {
    for (const state of this.states.values()) {
      for (const log of logs) state.ongoing?.partitions.delete(log);
    }
  }

  private ongoing(transactionalId: string, epoch: number): OngoingTxn {
    this.checkEpoch(transactionalId, epoch);
    const state = this.states.get(transactionalId)!;
    if (state.ongoing === null) {
      const txn: OngoingTxn = { mark: { state: 'open' }, partitions: new Set(), offsets: new Map(), timer: null };
      txn.timer = this.timers.schedule(state.timeoutMs, () => {
        if (state.ongoing !== txn) return;
        txn.timer = null;
        this.end(state, 'aborted');
        // Like the real coordinator, a timed-out abort bumps the epoch: the producer is fenced.
        state.epoch += 1;
      });
      state.ongoing = txn;
    }
    return state.ongoing;
  }

  private end(state: TransactionalState, outcome: 'committed' | 'aborted'): void {
    const txn = state.ongoing!;
    state.ongoing = null;
    this.timers.cancel(txn.timer);
    txn.mark.state = outcome;
    for (const log of txn.partitions) {
      if (log.hasOpenTransaction(state.producerId)) log.writeMarker(state.producerId, txn.mark);
    }
    if (outcome === 'committed') {
      for (const [groupId, offsets] of txn.offsets) this.offsets.commitTransactionalOffsets(groupId, [...offsets.values()]);
    }
  }
}
