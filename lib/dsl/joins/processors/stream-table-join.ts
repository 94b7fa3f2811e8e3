/**
 * Stream-table and stream-global-table joins (`KStream.join/leftJoin(KTable | GlobalKTable)`).
 * Triggered by stream records only; the table is looked up by key at processing time (table
 * updates never emit). Output: the stream record's key and timestamp, `joiner(streamValue,
 * tableValue)`. Stateless itself; reads the table's store.
 *
 * Null handling, as Kafka Streams 3.7+ (KIP-962): a stream record with a null value is dropped
 * (counted). A null key (or, for global tables, a null lookup key) is dropped by inner joins and
 * joined with a null table value by left joins. A missing table value drops the record in an
 * inner join (not counted: it is the join doing its job) and gives `joiner(value, null)` in a left join.
 * An inner join on the record key looks the key up before it reads the value.
 */
import type { TimestampedKeyValueStore } from '../../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../../topology/processor.js';
import { hasNullValue, withValue } from '../../../topology/record.js';
import type { KeyMapper, ValueJoiner } from '../value-joiner.js';
import { countDropped, isNullish } from './dropped.js';

export interface StreamTableJoinSpec<K, V, KT, VT, VR> {
  /** The table's (or global table's) timestamped key-value store. */
  readonly storeName: string;
  /** Lookup key: the record key for KTables, a mapper for global tables. */
  readonly keyMapper: KeyMapper<K, V, KT> | null;
  readonly joiner: ValueJoiner<V, VT | null, VR, K>;
  readonly leftJoin: boolean;
}

export function streamTableJoinSupplier<K, V, KT, VT, VR>(spec: StreamTableJoinSpec<K, V, KT, VT, VR>): ProcessorSupplier<K, V, K, VR> {
  return () => new StreamTableJoin(spec);
}

class StreamTableJoin<K, V, KT, VT, VR> implements Processor<K, V, K, VR> {
  private context!: ProcessorContext<K, VR>;
  private store!: TimestampedKeyValueStore<KT, VT>;
  readonly readsRecordFieldsOnly = true;

  constructor(private readonly spec: StreamTableJoinSpec<K, V, KT, VT, VR>) {}

  init(context: ProcessorContext<K, VR>): void {
    this.context = context;
    this.store = context.getStateStore<TimestampedKeyValueStore<KT, VT>>(this.spec.storeName);
  }

  process(record: Record<K, V>): void {
    if (this.spec.keyMapper === null && !this.spec.leftJoin) return this.innerJoinOnKey(record);
    const value = record.value;
    if (isNullish(value)) return countDropped(this.context);
    const { keyMapper, leftJoin, joiner } = this.spec;
    if (keyMapper === null && isNullish(record.key)) {
      if (!leftJoin) return countDropped(this.context);
      this.context.forward(withValue(record, joiner(value, null, record.key)));
      return;
    }
    const lookup = keyMapper === null ? (record.key as unknown as KT) : keyMapper(record.key, value);
    if (isNullish(lookup)) {
      if (!leftJoin) return countDropped(this.context);
      this.context.forward(withValue(record, joiner(value, null, record.key)));
      return;
    }
    const found = this.store.get(lookup);
    if (found === undefined) {
      if (leftJoin) this.context.forward(withValue(record, joiner(value, null, record.key)));
      return;
    }
    this.context.forward(withValue(record, joiner(value, found.value, record.key)));
  }

  /**
   * Inner join on the record key: the table is looked up first, so the value of a record whose
   * key is not in the table is never read (a lazily decoded value stays undecoded). Null values
   * and keys are dropped and counted as above; a value whose bytes decode to null is found only
   * when it is read, so it is counted only when its key is in the table.
   */
  private innerJoinOnKey(record: Record<K, V>): void {
    const key = record.key;
    if (hasNullValue(record) || isNullish(key)) return countDropped(this.context);
    const found = this.store.get(key as unknown as KT);
    if (found === undefined) return;
    const value = record.value;
    if (isNullish(value)) return countDropped(this.context);
    this.context.forward(withValue(record, this.spec.joiner(value, found.value, key)));
  }
}
