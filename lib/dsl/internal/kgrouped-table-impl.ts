/**
 * `KGroupedTable` implementation: the re-keyed `Change`s always go through a repartition topic
 * (`<store or grouped name>-repartition`, values framed by `changeSerde`), then one aggregate
 * processor subtracts old and adds new values.
 */
import { Serdes } from '../../serde/serdes.js';
import type { Serde } from '../../serde/types.js';
import { changeSerde, type Change } from '../change.js';
import type { KGroupedTable } from '../kgrouped-table.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../options/materialized.js';
import type { Named } from '../options/named.js';
import { tableAggregateSupplier, type TableAggregateFunctions } from '../processors/table-aggregate.js';
import { addAggregateTable } from './aggregate-table.js';
import type { InternalStreamsBuilder } from './builder.js';
import { defined } from './defined.js';
import { RepartitionGraphNode } from './nodes.js';
import { requireSerde, storeNameFor } from './stores.js';

export class KGroupedTableImpl<K, V> implements KGroupedTable<K, V> {
  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly parent: string,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
    private readonly groupedName: string | undefined,
  ) {}

  count(materialized?: Materialized<K, number>, named?: Named): KTable<K, number> {
    return this.aggregateWith<number>(
      'KTABLE-AGGREGATE-',
      'count',
      { initial: () => 0, add: (_k, _v, agg) => (agg ?? 0) + 1, subtract: (_k, _v, agg) => agg - 1 },
      materialized,
      named,
      Serdes.int64(),
    );
  }

  reduce(adder: (aggregate: V, value: V) => V, subtractor: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>, named?: Named): KTable<K, V> {
    return this.aggregateWith<V>(
      'KTABLE-REDUCE-',
      'reduce',
      { initial: undefined, add: (_k, v, agg) => (agg === undefined ? v : adder(agg, v)), subtract: (_k, v, agg) => subtractor(agg, v) },
      materialized,
      named,
      this.valueSerde,
    );
  }

  aggregate<VA>(
    initializer: () => VA,
    adder: (key: K, value: V, aggregate: VA) => VA,
    subtractor: (key: K, value: V, aggregate: VA) => VA,
    materialized?: Materialized<K, VA>,
    named?: Named,
  ): KTable<K, VA> {
    return this.aggregateWith<VA>(
      'KTABLE-AGGREGATE-',
      'aggregate',
      { initial: initializer, add: (k, v, agg) => adder(k, v, agg === undefined ? initializer() : agg), subtract: subtractor },
      materialized,
      named,
      undefined,
    );
  }

  private aggregateWith<VA>(
    prefix: string,
    operator: string,
    fns: TableAggregateFunctions<K, V, VA>,
    materialized: Materialized<K, VA> | undefined,
    named: Named | undefined,
    defaultValueSerde: Serde<VA> | undefined,
  ): KTable<K, VA> {
    const storeName = storeNameFor(this.builder, materialized as Materialized<unknown, unknown> | undefined, prefix, operator);
    // Kafka Streams names the repartition nodes after the aggregation's Named: `<name>-sink`, `<name>-source`.
    const sinkName = this.builder.suffixedOrGenerate(named?.name, '-sink', 'KSTREAM-SINK-');
    const sourceName = this.builder.suffixedOrGenerate(named?.name, '-source', 'KSTREAM-SOURCE-');
    const funcName = this.builder.nameOrGenerate(named?.name, prefix);
    const topic = `${this.groupedName ?? storeName}-repartition`;
    const changes = changeSerde(requireSerde(this.builder, 'value', `Repartition topic ${topic}`, this.valueSerde)) as Serde<Change<V>>;
    this.builder.addNode(
      new RepartitionGraphNode(
        this.parent,
        { topic, filter: null, sink: sinkName, source: sourceName },
        null,
        defined({ keySerde: this.keySerde, valueSerde: changes }) as never,
        defined({ keySerde: this.keySerde, valueSerde: changes }) as never,
        {},
      ),
    );
    return addAggregateTable(this.builder, funcName, sourceName, storeName, materialized, this.keySerde, defaultValueSerde, (flags) =>
      tableAggregateSupplier(storeName, fns, flags),
    );
  }
}
