/**
 * Stream-stream join processors (`KStream.join/leftJoin/outerJoin(KStream)`): one per side, both
 * in one task, sharing the task's two window stores (duplicates retained) and, for left/outer
 * joins, the pending-unmatched store. Stateful; per record of this side at `t`:
 *
 *   advance the join's stream time T (shared by both sides, every record counts)
 *   null key ─▶ this side outer and a value: forward joiner(value, null) at t; else drop (counted)
 *   null value ─▶ drop (counted)
 *   put into this side's store ─▶ fetch the other store for the key in this side's window
 *   ─▶ each partner: forward joiner(left, right) at max(t, partner ts); the partner is no longer pending
 *   ─▶ no partner and this side is outer: pending until t + reach + grace < T
 *   ─▶ emit (with a null partner, at their own timestamp) pending records whose window closed
 *
 * Late records (`t + grace < T`) are not dropped (as in Kafka Streams 3.9, `KStreamKStreamJoin`):
 * they join whatever the other store still retains and are kept if their own store still
 * retains them (a store drops records older than its max timestamp - retention + 1, retention
 * `JoinWindows.retentionMs`); they go to the late-records output as well, when one is configured.
 * The output multiset does not depend on arrival order as long as no record is late: a record
 * that is not late always finds every partner that is not late, and a pending record is emitted
 * only when no partner can still arrive without being late. Stream time restarts at -1 when a
 * task is reopened.
 */
import type { Serde } from '../../../serde/types.js';
import type { KeyValueStore, WindowStore } from '../../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../../topology/processor.js';
import { createRecord } from '../../../topology/record.js';
import { taskLocal, TaskSlot } from '../../../topology/task-slot.js';
import type { JoinWindows } from '../join-windows.js';
import type { ValueJoiner } from '../value-joiner.js';
import { LateRecordRouter, type LateRecordsCallback } from '../../windowed/late-records.js';
import { countDropped, isNullish } from './dropped.js';
import { LEFT, PendingUnmatched, RIGHT, type Side } from './pending-unmatched.js';

export interface StreamStreamJoinSpec<K, V1, V2, VR> {
  readonly leftStore: string;
  readonly rightStore: string;
  /** The pending-unmatched store; null for inner joins. */
  readonly pendingStore: string | null;
  readonly windows: JoinWindows;
  /** Emit unmatched left records (left and outer joins). */
  readonly leftOuter: boolean;
  /** Emit unmatched right records (outer joins). */
  readonly rightOuter: boolean;
  readonly joiner: ValueJoiner<V1 | null, V2 | null, VR, K>;
  /** Serdes for the pending store. */
  readonly keySerde: Serde<K>;
  readonly leftSerde: Serde<V1>;
  readonly rightSerde: Serde<V2>;
  /** Used as the serde topic of pending entries (the pending store's name). */
  readonly pendingTopic: string;
  /** Processor names of the left and right side (for late-record reports). */
  readonly processorNames: readonly [string, string];
  /** The merge node: joined records go only there when a late-records sink is another child. */
  readonly mergeName: string;
  readonly lateCallback: LateRecordsCallback<K, V1 | V2> | null;
  /** Child sink receiving late records (topic form), or null. */
  readonly lateSink: string | null;
  /** What both processors of one task share (see `joinStateSlot`). */
  readonly shared: TaskSlot<SharedJoinState>;
}

/** State both processors of one task share: a task slot, made afresh when the task is (re)opened. */
export interface SharedJoinState {
  streamTime: number;
  /** No pending entry has a timestamp below this. */
  lowWater: number;
}

export function joinStateSlot(joinName: string): TaskSlot<SharedJoinState> {
  return new TaskSlot(`stream time of ${joinName}`, () => ({ streamTime: -1, lowWater: 0 }));
}

export function streamStreamJoinSupplier<K, V1, V2, VR>(spec: StreamStreamJoinSpec<K, V1, V2, VR>, side: Side): ProcessorSupplier<K, V1 | V2, K, VR> {
  return () => new StreamStreamJoin<K, V1, V2, VR>(spec, side);
}

class StreamStreamJoin<K, V1, V2, VR> implements Processor<K, V1 | V2, K, VR> {
  private context!: ProcessorContext<K, VR>;
  private thisStore!: WindowStore<K, V1 | V2>;
  private otherStore!: WindowStore<K, V1 | V2>;
  private pending: PendingUnmatched<K, V1, V2> | null = null;
  private state!: SharedJoinState;
  private late: LateRecordRouter<K, V1 | V2> | null = null;
  private readonly outChild: string | undefined;
  /** Window of this side: other records in [t - back, t + ahead]. */
  private readonly back: number;
  private readonly ahead: number;
  private readonly grace: number;
  private readonly thisOuter: boolean;
  private readonly otherOuter: boolean;
  /** A pending left record at t is closed once t + leftReach + grace < T; right likewise. */
  private readonly leftReach: number;
  private readonly rightReach: number;

  constructor(
    private readonly spec: StreamStreamJoinSpec<K, V1, V2, VR>,
    private readonly side: Side,
  ) {
    const w = spec.windows;
    this.back = side === LEFT ? w.beforeMs : w.afterMs;
    this.ahead = side === LEFT ? w.afterMs : w.beforeMs;
    this.grace = w.graceMs;
    this.thisOuter = side === LEFT ? spec.leftOuter : spec.rightOuter;
    this.otherOuter = side === LEFT ? spec.rightOuter : spec.leftOuter;
    this.leftReach = w.afterMs;
    this.rightReach = w.beforeMs;
    this.outChild = spec.lateSink === null ? undefined : spec.mergeName;
  }

  init(context: ProcessorContext<K, VR>): void {
    this.context = context;
    const left = context.getStateStore<WindowStore<K, V1>>(this.spec.leftStore);
    const right = context.getStateStore<WindowStore<K, V2>>(this.spec.rightStore);
    this.thisStore = (this.side === LEFT ? left : right) as WindowStore<K, V1 | V2>;
    this.otherStore = (this.side === LEFT ? right : left) as WindowStore<K, V1 | V2>;
    this.state = taskLocal(context as ProcessorContext<unknown, unknown>, this.spec.shared);
    const s0 = this.spec;
    if (s0.lateCallback !== null || s0.lateSink !== null) {
      this.late = new LateRecordRouter(
        context as ProcessorContext<unknown, unknown>,
        s0.processorNames[this.side],
        this.grace,
        this.grace,
        s0.lateCallback,
        s0.lateSink,
      );
    }
    if (this.spec.pendingStore !== null) {
      const s = this.spec;
      this.pending = new PendingUnmatched(
        context.getStateStore<KeyValueStore<Buffer, Buffer>>(s.pendingStore!),
        s.keySerde,
        s.leftSerde,
        s.rightSerde,
        s.pendingTopic,
      );
    }
  }

  process(record: Record<K, V1 | V2>): void {
    const key = record.key;
    const value = record.value;
    const t = record.timestamp;
    const state = this.state;
    if (t > state.streamTime) state.streamTime = t;
    if (isNullish(key)) {
      // As Kafka Streams (KIP-962): an outer side's record without a key cannot join, but is not lost.
      if (!this.thisOuter || isNullish(value)) return countDropped(this.context);
      const joiner = this.spec.joiner;
      const out = this.side === LEFT ? joiner(value as V1, null, key as K) : joiner(null, value as V2, key as K);
      this.context.forward(createRecord(key as K, out, t, record.headers), this.outChild);
      return;
    }
    if (isNullish(value)) return countDropped(this.context);
    if (t + this.grace < state.streamTime && this.late !== null) {
      this.late.late(record, [{ start: t - this.back, end: t + this.ahead + 1 }], state.streamTime, false);
    }

    this.thisStore.put(key, value, t);
    const partners = this.otherStore.fetchRange(key, t - this.back, t + this.ahead);
    const joiner = this.spec.joiner;
    const otherSide: Side = this.side === LEFT ? RIGHT : LEFT;
    for (let i = 0; i < partners.length; i++) {
      const p = partners[i]!;
      const out = this.side === LEFT ? joiner(value as V1, p.value as V2, key) : joiner(p.value as V1, value as V2, key);
      this.context.forward(createRecord(key, out, t > p.key ? t : p.key, record.headers), this.outChild);
      if (this.otherOuter) this.pending!.matched(otherSide, key, p.key);
    }
    if (partners.length === 0 && this.thisOuter) {
      this.pending!.add(this.side, key, value, t);
      if (t < state.lowWater) state.lowWater = t;
    }
    if (this.pending !== null) this.emitClosed();
  }

  /** Emits pending records whose window + grace closed, with a null partner, at their own timestamp. */
  private emitClosed(): void {
    const state = this.state;
    const T = state.streamTime;
    const upTo = T - this.grace - Math.min(this.leftReach, this.rightReach) - 1;
    if (upTo < state.lowWater) return;
    const joiner = this.spec.joiner;
    state.lowWater = this.pending!.drain(
      upTo,
      (side, ts) => ts + (side === LEFT ? this.leftReach : this.rightReach) + this.grace < T,
      (side, key, v, ts) => {
        const out = side === LEFT ? joiner(v as V1, null, key) : joiner(null, v as V2, key);
        this.context.forward(createRecord(key, out, ts), this.outChild);
      },
    );
  }
}
