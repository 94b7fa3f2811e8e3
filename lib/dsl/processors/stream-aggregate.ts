/**
 * KGroupedStream aggregate/reduce/count: stateful, one timestamped key-value store. Records with a
 * null key or null value are skipped. Emits `Change(new, old)` with timestamp = max(record ts,
 * previous aggregate ts), through the cache (compacted until commit) or on every update.
 */
import type { TimestampedKeyValueStore } from '../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../topology/processor.js';
import { hasNullValue } from '../../topology/record.js';
import type { Change } from '../change.js';
import { ChangeForwarder, type SendOldValues } from './change-forwarder.js';
import { readsValue } from './value-blind.js';

/** `aggregate(undefined)` = no previous aggregate; the function returns the new one. */
export type AggregateStep<K, V, VA> = (key: K, value: V, previous: VA | undefined) => VA;

export function streamAggregateSupplier<K, V, VA>(
  storeName: string,
  step: AggregateStep<K, V, VA>,
  flags: SendOldValues,
): ProcessorSupplier<K, V, K, Change<VA>> {
  return () => new StreamAggregate(storeName, step, flags.sendOldValues);
}

class StreamAggregate<K, V, VA> implements Processor<K, V, K, Change<VA>> {
  private store!: TimestampedKeyValueStore<K, VA>;
  private forwarder!: ChangeForwarder<K, VA>;
  /** False for count: the value is never read (a lazily decoded value stays undecoded). */
  private readonly readsValue: boolean;
  readonly readsRecordFieldsOnly = true;

  constructor(
    private readonly storeName: string,
    private readonly step: AggregateStep<K, V, VA>,
    private readonly sendOldValues: boolean,
  ) {
    this.readsValue = readsValue(step);
  }

  init(context: ProcessorContext<K, Change<VA>>): void {
    this.store = context.getStateStore<TimestampedKeyValueStore<K, VA>>(this.storeName);
    this.forwarder = new ChangeForwarder(this.store, context, this.sendOldValues);
  }

  process(record: Record<K, V>): void {
    if (record.key === null || record.key === undefined || hasNullValue(record)) return;
    const previous = this.store.get(record.key);
    const aggregate = this.step(record.key, this.readsValue ? record.value : (undefined as V), previous?.value);
    const timestamp = previous === undefined ? record.timestamp : Math.max(record.timestamp, previous.timestamp);
    this.store.put(record.key, { value: aggregate, timestamp });
    this.forwarder.maybeForward(record.key, aggregate, previous?.value ?? null, timestamp);
  }
}
