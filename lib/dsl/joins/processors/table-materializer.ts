/**
 * Materializes a table from its `Change`s into a timestamped key-value store (new value, or a
 * delete for null) and forwards each change unchanged. Used where a join needs to read a table
 * that has no store of its own (a filtered or mapped table), and for `Materialized` join results.
 */
import type { TimestampedKeyValueStore } from '../../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../../topology/processor.js';
import type { Change } from '../../change.js';

export function tableMaterializerSupplier<K, V>(storeName: string): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => new TableMaterializer<K, V>(storeName);
}

class TableMaterializer<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private context!: ProcessorContext<K, Change<V>>;
  private store!: TimestampedKeyValueStore<K, V>;

  constructor(private readonly storeName: string) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.context = context;
    this.store = context.getStateStore(this.storeName);
  }

  process(record: Record<K, Change<V>>): void {
    if (record.key === null || record.key === undefined) return;
    const v = record.value.newValue;
    this.store.put(record.key, v === null ? null : { value: v, timestamp: record.timestamp });
    this.context.forward(record);
  }
}
