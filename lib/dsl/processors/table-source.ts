/**
 * KTable source (`builder.table`, `KStream.toTable`): turns a changelog stream into `Change`s.
 * When materialized, writes each record to its store (null value = delete) and can send old
 * values; otherwise forwards `Change(value, null)`. Null keys are skipped.
 */
import type { TimestampedKeyValueStore } from '../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../topology/processor.js';
import { change, type Change } from '../change.js';
import { ChangeForwarder, type SendOldValues } from './change-forwarder.js';

export interface TableSourceState extends SendOldValues {
  /** Store name when materialized, else null. Decided by `build()`. */
  storeName: string | null;
  /** False for the state-update processor of a global table (no children). */
  readonly forwards: boolean;
}

export function tableSourceSupplier<K, V>(state: TableSourceState): ProcessorSupplier<K, V, K, Change<V>> {
  return () => new TableSource<K, V>(state.storeName, state.sendOldValues, state.forwards);
}

class TableSource<K, V> implements Processor<K, V, K, Change<V>> {
  private context!: ProcessorContext<K, Change<V>>;
  private store: TimestampedKeyValueStore<K, V> | null = null;
  private forwarder: ChangeForwarder<K, V> | null = null;

  constructor(
    private readonly storeName: string | null,
    private readonly sendOldValues: boolean,
    private readonly forwards: boolean,
  ) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.context = context;
    if (this.storeName !== null) {
      this.store = context.getStateStore<TimestampedKeyValueStore<K, V>>(this.storeName);
      if (this.forwards) this.forwarder = new ChangeForwarder(this.store, context, this.sendOldValues);
    }
  }

  process(record: Record<K, V>): void {
    if (record.key === null || record.key === undefined) return;
    const value = record.value ?? null;
    if (this.store === null) {
      if (this.forwards) this.context.forward({ ...record, value: change<V>(value, null) });
      return;
    }
    const previous = this.store.get(record.key);
    this.store.put(record.key, value === null ? null : { value, timestamp: record.timestamp });
    this.forwarder?.maybeForward(record.key, value, previous?.value ?? null, record.timestamp);
  }
}
