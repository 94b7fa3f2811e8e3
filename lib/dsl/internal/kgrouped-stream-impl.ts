/** `KGroupedStream` implementation: repartition if needed, then one aggregate processor with its store. */
import { Serdes } from '../../serde/serdes.js';
import type { Serde } from '../../serde/types.js';
import type { KGroupedStream } from '../kgrouped-stream.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../options/materialized.js';
import type { Named } from '../options/named.js';
import { streamAggregateSupplier, type AggregateStep } from '../processors/stream-aggregate.js';
import { ignoringValue } from '../processors/value-blind.js';
import { addAggregateTable } from './aggregate-table.js';
import type { InternalStreamsBuilder } from './builder.js';
import { addRepartition } from './repartition.js';
import { storeNameFor } from './stores.js';
import type { SessionWindowedKStream } from '../windowed/session-windowed-kstream.js';
import type { TimeWindowedKStream } from '../windowed/time-windowed-kstream.js';
import type { WindowedOptions } from '../windowed/windowed-options.js';
import { SessionWindowedKStreamImpl, TimeWindowedKStreamImpl } from '../windowed/windowed-stream-impl.js';
import { SessionWindows } from '../windows/session-windows.js';
import { SlidingWindows } from '../windows/sliding-windows.js';
import { TimeWindows } from '../windows/time-windows.js';
import { ConfigError } from '../../errors.js';

export class KGroupedStreamImpl<K, V> implements KGroupedStream<K, V> {
  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly parent: string,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
    private readonly repartitionRequired: boolean,
    private readonly groupedName: string | undefined,
  ) {}

  count(materialized?: Materialized<K, number>, named?: Named): KTable<K, number> {
    return this.aggregateWith<number>(
      'KSTREAM-AGGREGATE-',
      'count',
      ignoringValue<AggregateStep<K, V, number>>((_k, _v, agg) => (agg ?? 0) + 1),
      materialized,
      named,
      Serdes.int64(),
    );
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>, named?: Named): KTable<K, V> {
    return this.aggregateWith<V>('KSTREAM-REDUCE-', 'reduce', (_k, v, agg) => (agg === undefined ? v : reducer(agg, v)), materialized, named, this.valueSerde);
  }

  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, materialized?: Materialized<K, VA>, named?: Named): KTable<K, VA> {
    return this.aggregateWith<VA>(
      'KSTREAM-AGGREGATE-',
      'aggregate',
      (k, v, agg) => aggregator(k, v, agg === undefined ? initializer() : agg),
      materialized,
      named,
      undefined,
    );
  }

  windowedBy(windows: TimeWindows | SlidingWindows, options?: WindowedOptions<K, V>): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows, options?: WindowedOptions<K, V>): SessionWindowedKStream<K, V>;
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
    options: WindowedOptions<K, V> = {},
  ): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    const source = {
      builder: this.builder,
      parent: this.parent,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      repartitionRequired: this.repartitionRequired,
      groupedName: this.groupedName,
    };
    if (windows instanceof SessionWindows) return new SessionWindowedKStreamImpl(source, windows, options);
    if (windows instanceof TimeWindows || windows instanceof SlidingWindows) return new TimeWindowedKStreamImpl(source, windows, options);
    throw new ConfigError('windowedBy(windows): pass TimeWindows, SlidingWindows or SessionWindows');
  }

  private aggregateWith<VA>(
    prefix: string,
    operator: string,
    step: AggregateStep<K, V, VA>,
    materialized: Materialized<K, VA> | undefined,
    named: Named | undefined,
    defaultValueSerde: Serde<VA> | undefined,
  ): KTable<K, VA> {
    const storeName = storeNameFor(this.builder, materialized as Materialized<unknown, unknown> | undefined, prefix, operator);
    const funcName = this.builder.nameOrGenerate(named?.name, prefix);
    let parent = this.parent;
    if (this.repartitionRequired) {
      parent = addRepartition(this.builder, {
        parent,
        prefix: this.groupedName ?? storeName,
        keySerde: this.keySerde,
        valueSerde: this.valueSerde,
        dropNullKeys: true,
      });
    }
    return addAggregateTable(this.builder, funcName, parent, storeName, materialized, this.keySerde, defaultValueSerde, (flags) =>
      streamAggregateSupplier(storeName, step, flags),
    );
  }
}
