/**
 * The four processors of a foreign-key table join `left.join(right, fk, joiner)`:
 *
 *  left sub-topology                                 right sub-topology
 *  ─────────────────                                 ──────────────────
 *  left update ─▶ SubscriptionSender ─▶ subscription topic (key: fk) ─▶ SubscriptionReceiver ─┐
 *                       │ (left join: no fk)                            (stores subscription,  │
 *                       ▼                                                answers with right[fk])│
 *  response topic (key: pk) ─▶ ResponseResolver ◀────────────────────────────────────────────────┤
 *     (drops stale answers by hash,                  right update ─▶ RightUpdateFanout ─────────┘
 *      emits the change of the result row)                (answers every subscriber of fk)
 *
 * Each step is synchronous and record-by-record; the hops are repartition topics, so the join
 * is as exactly-once as the rest of the task commit.
 */
import type { Serde } from '../../../serde/types.js';
import type { KeyValueStore, TimestampedKeyValueStore } from '../../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../../topology/processor.js';
import { createRecord } from '../../../topology/record.js';
import { change, type Change } from '../../change.js';
import type { SendOldValues } from '../../processors/change-forwarder.js';
import { countDropped, isNullish } from '../processors/dropped.js';
import type { ValueJoiner } from '../value-joiner.js';
import { combinedKey, combinedKeyPrimary, foreignKeyRange, hasPrefix, Instruction, sameHash, valueHash, type Response, type Subscription } from './messages.js';

export interface ForeignKeyJoinSpec<K, V, KO, VO, VR> {
  readonly extractor: (value: V, key: K) => KO | null;
  readonly joiner: ValueJoiner<V, VO | null, VR, K>;
  readonly leftJoin: boolean;
  readonly leftKeySerde: Serde<K>;
  readonly leftValueSerde: Serde<V>;
  readonly foreignKeySerde: Serde<KO>;
  /** Names of the sender's children. */
  readonly subscriptionSink: string;
  readonly resolver: string;
  readonly subscriptionStore: string;
  readonly rightStore: string;
  readonly leftStore: string;
  readonly resultStore: string;
  /** Topics used as serde topics. */
  readonly subscriptionTopic: string;
  readonly flags: SendOldValues;
}

type AnySpec = ForeignKeyJoinSpec<any, any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Left updates ▶ subscriptions by foreign key (and direct answers when there is no foreign key). */
export function subscriptionSenderSupplier<K, V, KO>(spec: AnySpec): ProcessorSupplier<K, Change<V>, unknown, unknown> {
  return () => new SubscriptionSender<K, V, KO>(spec);
}

class SubscriptionSender<K, V, KO> implements Processor<K, Change<V>, unknown, unknown> {
  private context!: ProcessorContext<unknown, unknown>;
  constructor(private readonly spec: ForeignKeyJoinSpec<K, V, KO, unknown, unknown>) {}

  init(context: ProcessorContext<unknown, unknown>): void {
    this.context = context;
  }

  process(record: Record<K, Change<V>>): void {
    const pk = record.key;
    if (isNullish(pk)) return countDropped(this.context);
    const { newValue, oldValue } = record.value;
    const s = this.spec;
    const newFk = newValue === null ? null : nullable(s.extractor(newValue, pk));
    const oldFk = oldValue === null ? null : nullable(s.extractor(oldValue, pk));
    const hash = newValue === null ? null : valueHash(s.leftValueSerde.serialize(newValue, s.subscriptionTopic));
    const fkChanged =
      oldFk !== null &&
      (newFk === null || !s.foreignKeySerde.serialize(oldFk, s.subscriptionTopic).equals(s.foreignKeySerde.serialize(newFk, s.subscriptionTopic)));
    if (!s.leftJoin && oldFk !== null && newFk === null) {
      // Inner join, the row leaves the result: the old foreign key's side answers (and stamps) the tombstone.
      this.subscribe(oldFk, { instruction: Instruction.UnsubscribeAndPropagate, hash, primaryKey: pk }, record.timestamp);
      return;
    }
    if (fkChanged) this.subscribe(oldFk, { instruction: Instruction.Unsubscribe, hash, primaryKey: pk }, record.timestamp);
    if (newFk !== null) {
      const instruction = s.leftJoin || fkChanged ? Instruction.PropagateAlways : Instruction.PropagateIfPresent;
      this.subscribe(newFk, { instruction, hash, primaryKey: pk }, record.timestamp);
      return;
    }
    // Inner join, no foreign key before or after: never in the result.
    if (!s.leftJoin) return;
    // Left join without a foreign key (or the row was deleted): the answer is known here — no right value.
    if (newValue === null && oldValue === null) return;
    this.context.forward(createRecord(pk, { hash, value: null } satisfies Response<unknown>, record.timestamp, record.headers), s.resolver);
  }

  private subscribe(fk: KO, subscription: Subscription<K>, timestamp: number): void {
    this.context.forward(createRecord(fk, subscription, timestamp), this.spec.subscriptionSink);
  }
}

function nullable<T>(v: T | null | undefined): T | null {
  return v === undefined ? null : v;
}

/** Subscriptions (keyed by foreign key) ▶ subscription store, and an answer with the right value. */
export function subscriptionReceiverSupplier<KO, K, VO>(spec: AnySpec): ProcessorSupplier<KO, Subscription<K>, K, Response<VO>> {
  return () => new SubscriptionReceiver<KO, K, VO>(spec);
}

class SubscriptionReceiver<KO, K, VO> implements Processor<KO, Subscription<K>, K, Response<VO>> {
  private context!: ProcessorContext<K, Response<VO>>;
  private subscriptions!: KeyValueStore<Buffer, Buffer>;
  private right!: TimestampedKeyValueStore<KO, VO>;
  constructor(private readonly spec: ForeignKeyJoinSpec<K, unknown, KO, VO, unknown>) {}

  init(context: ProcessorContext<K, Response<VO>>): void {
    this.context = context;
    this.subscriptions = context.getStateStore(this.spec.subscriptionStore);
    this.right = context.getStateStore(this.spec.rightStore);
  }

  process(record: Record<KO, Subscription<K>>): void {
    const fk = record.key;
    if (isNullish(fk) || isNullish(record.value)) return countDropped(this.context);
    const s = this.spec;
    const sub = record.value;
    const key = combinedKey(s.foreignKeySerde.serialize(fk, s.subscriptionTopic), s.leftKeySerde.serialize(sub.primaryKey, s.subscriptionTopic));
    if (sub.instruction === Instruction.Unsubscribe || sub.instruction === Instruction.UnsubscribeAndPropagate) {
      this.subscriptions.delete(key);
      if (sub.instruction === Instruction.Unsubscribe) return;
    } else this.subscriptions.put(key, sub.hash ?? Buffer.alloc(0));
    const found = this.right.get(fk);
    if (found === undefined && sub.instruction === Instruction.PropagateIfPresent) return;
    const ts = found === undefined ? record.timestamp : Math.max(record.timestamp, found.timestamp);
    const value = found === undefined || sub.instruction === Instruction.UnsubscribeAndPropagate ? null : found.value;
    this.context.forward(createRecord(sub.primaryKey, { hash: sub.hash, value }, ts));
  }
}

/** Right updates ▶ an answer to every left row subscribed to that foreign key. */
export function rightUpdateFanoutSupplier<KO, K, VO>(spec: AnySpec): ProcessorSupplier<KO, Change<VO>, K, Response<VO>> {
  return () => new RightUpdateFanout<KO, K, VO>(spec);
}

class RightUpdateFanout<KO, K, VO> implements Processor<KO, Change<VO>, K, Response<VO>> {
  private context!: ProcessorContext<K, Response<VO>>;
  private subscriptions!: KeyValueStore<Buffer, Buffer>;
  constructor(private readonly spec: ForeignKeyJoinSpec<K, unknown, KO, VO, unknown>) {}

  init(context: ProcessorContext<K, Response<VO>>): void {
    this.context = context;
    this.subscriptions = context.getStateStore(this.spec.subscriptionStore);
  }

  process(record: Record<KO, Change<VO>>): void {
    if (isNullish(record.key)) return;
    const s = this.spec;
    const fk = s.foreignKeySerde.serialize(record.key, s.subscriptionTopic);
    const { from, to } = foreignKeyRange(fk);
    const value = record.value.newValue;
    for (const entry of this.subscriptions.range(from, to)) {
      if (!hasPrefix(entry.key, from)) continue;
      const pk = s.leftKeySerde.deserialize(combinedKeyPrimary(entry.key), s.subscriptionTopic);
      const hash = entry.value.length === 0 ? null : entry.value;
      this.context.forward(createRecord(pk, { hash, value }, record.timestamp, record.headers));
    }
  }
}

/** Answers (keyed by primary key) ▶ the change of the result row, unless the answer is stale. */
export function responseResolverSupplier<K, V, VO, VR>(spec: AnySpec): ProcessorSupplier<K, Response<VO>, K, Change<VR>> {
  return () => new ResponseResolver<K, V, VO, VR>(spec, spec.flags.sendOldValues);
}

class ResponseResolver<K, V, VO, VR> implements Processor<K, Response<VO>, K, Change<VR>> {
  private context!: ProcessorContext<K, Change<VR>>;
  private left!: TimestampedKeyValueStore<K, V>;
  private result!: TimestampedKeyValueStore<K, VR>;
  constructor(
    private readonly spec: ForeignKeyJoinSpec<K, V, unknown, VO, VR>,
    private readonly sendOldValues: boolean,
  ) {}

  init(context: ProcessorContext<K, Change<VR>>): void {
    this.context = context;
    this.left = context.getStateStore(this.spec.leftStore);
    this.result = context.getStateStore(this.spec.resultStore);
  }

  process(record: Record<K, Response<VO>>): void {
    const pk = record.key;
    if (isNullish(pk) || isNullish(record.value)) return countDropped(this.context);
    const s = this.spec;
    const current = this.left.get(pk);
    const currentHash = current === undefined ? null : valueHash(s.leftValueSerde.serialize(current.value, s.subscriptionTopic));
    if (!sameHash(currentHash, record.value.hash)) return; // answers an older version of the left row
    const rightValue = record.value.value;
    const row = current === undefined || (rightValue === null && !s.leftJoin) ? null : s.joiner(current.value, rightValue, pk);
    const previous = this.result.get(pk);
    if (row === null && previous === undefined) return;
    // The answer's time (as Kafka Streams): the left update's, or the later of it and the right row's
    // when the answer comes from a subscription, or the right update's when it comes from a right update.
    const ts = record.timestamp;
    this.result.put(pk, row === null ? null : { value: row, timestamp: ts });
    const old = this.sendOldValues && previous !== undefined ? previous.value : null;
    this.context.forward(createRecord(pk, change<VR>(row, old), ts, record.headers));
  }
}
