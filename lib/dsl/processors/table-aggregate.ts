/**
 * KGroupedTable aggregate/reduce/count: stateful, one timestamped key-value store. Each incoming
 * `Change` first subtracts the old value, then adds the new one; a null aggregate deletes the key.
 */
import type { TimestampedKeyValueStore } from '../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../topology/processor.js';
import type { Change } from '../change.js';
import { ChangeForwarder, type SendOldValues } from './change-forwarder.js';

export interface TableAggregateFunctions<K, V, VA> {
  /** Aggregate when the key has none yet (`undefined` = start from the first added value, as reduce does). */
  readonly initial: (() => VA) | undefined;
  readonly add: (key: K, value: V, aggregate: VA | undefined) => VA;
  readonly subtract: (key: K, value: V, aggregate: VA) => VA;
}

export function tableAggregateSupplier<K, V, VA>(
  storeName: string,
  fns: TableAggregateFunctions<K, V, VA>,
  flags: SendOldValues,
): ProcessorSupplier<K, Change<V>, K, Change<VA>> {
  return () => new TableAggregate(storeName, fns, flags.sendOldValues);
}

class TableAggregate<K, V, VA> implements Processor<K, Change<V>, K, Change<VA>> {
  private store!: TimestampedKeyValueStore<K, VA>;
  private forwarder!: ChangeForwarder<K, VA>;

  constructor(
    private readonly storeName: string,
    private readonly fns: TableAggregateFunctions<K, V, VA>,
    private readonly sendOldValues: boolean,
  ) {}

  init(context: ProcessorContext<K, Change<VA>>): void {
    this.store = context.getStateStore<TimestampedKeyValueStore<K, VA>>(this.storeName);
    this.forwarder = new ChangeForwarder(this.store, context, this.sendOldValues);
  }

  process(record: Record<K, Change<V>>): void {
    if (record.key === null || record.key === undefined) return;
    const previous = this.store.get(record.key);
    let aggregate: VA | undefined = previous?.value ?? this.fns.initial?.();
    const { newValue, oldValue } = record.value;
    if (oldValue !== null && aggregate !== undefined) aggregate = this.fns.subtract(record.key, oldValue, aggregate);
    if (newValue !== null) aggregate = this.fns.add(record.key, newValue, aggregate);
    const timestamp = previous === undefined ? record.timestamp : Math.max(record.timestamp, previous.timestamp);
    const stored = aggregate === undefined || aggregate === null ? null : aggregate;
    this.store.put(record.key, stored === null ? null : { value: stored, timestamp });
    this.forwarder.maybeForward(record.key, stored, previous?.value ?? null, timestamp);
  }
}
