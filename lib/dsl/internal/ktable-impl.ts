/** The `KTable` implementation: operators over `Change`s, and old-value propagation upstream. */
import type { Serde } from '../../serde/types.js';
import type { KeyValue } from '../../state/types.js';
import type { KGroupedTable } from '../kgrouped-table.js';
import type { KStream } from '../kstream.js';
import type { KTable } from '../ktable.js';
import type { Grouped } from '../options/grouped.js';
import type { Named } from '../options/named.js';
import type { SendOldValues } from '../processors/change-forwarder.js';
import { tableFilterSupplier, tableMapValuesSupplier, tableRepartitionMapSupplier, tableToStreamSupplier } from '../processors/table-stateless.js';
import type { InternalStreamsBuilder } from './builder.js';
import { KGroupedTableImpl } from './kgrouped-table-impl.js';
import { KStreamImpl } from './kstream-impl.js';
import { ProcessorGraphNode } from './nodes.js';
import type { Suppressed } from '../windowed/suppressed.js';
import { suppressTable } from '../windowed/suppress-table.js';
import { tableJoin } from '../joins/internal/dispatch.js';
import type { WindowedTableInfo } from '../windowed/windowed-tables.js';

/** What a table knows about where its values come from. */
export interface TableLineage {
  queryableStoreName(): string | null;
  /** Makes this table forward old values (materializing a source table if needed). */
  enableSendingOldValues(): void;
}

export class KTableImpl<K, V> implements KTable<K, V> {
  constructor(
    readonly builder: InternalStreamsBuilder,
    readonly name: string,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly lineage: TableLineage,
    /** Set on the table of a windowed aggregation: what a downstream `suppress(untilWindowCloses)` needs. */
    readonly windowed: WindowedTableInfo | null = null,
  ) {}

  // Joins (lib/dsl/joins): a function as third argument selects the foreign-key join.
  join: KTable<K, V>['join'] = (...args: unknown[]) => tableJoin(this as KTableImpl<unknown, unknown>, 'inner', args) as never;
  leftJoin: KTable<K, V>['leftJoin'] = (...args: unknown[]) => tableJoin(this as KTableImpl<unknown, unknown>, 'left', args) as never;
  outerJoin: KTable<K, V>['outerJoin'] = (...args: unknown[]) => tableJoin(this as KTableImpl<unknown, unknown>, 'outer', args) as never;

  get queryableStoreName(): string | null {
    return this.lineage.queryableStoreName();
  }

  filter(predicate: (key: K, value: V) => boolean, named?: Named): KTable<K, V> {
    return this.derive('KTABLE-FILTER-', named, (flags) => tableFilterSupplier(predicate, false, flags), this.valueSerde);
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KTable<K, V> {
    return this.derive('KTABLE-FILTER-', named, (flags) => tableFilterSupplier(predicate, true, flags), this.valueSerde);
  }

  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KTable<K, VR> {
    return this.derive<VR>('KTABLE-MAPVALUES-', named, (flags) => tableMapValuesSupplier(mapper, flags), undefined);
  }

  toStream(named?: Named): KStream<K, V | null> {
    const name = this.builder.nameOrGenerate(named?.name, 'KTABLE-TOSTREAM-');
    this.builder.addNode(new ProcessorGraphNode(name, [this.name], tableToStreamSupplier<K, V>()));
    return new KStreamImpl<K, V | null>(this.builder, name, this.keySerde, this.valueSerde, false);
  }

  groupBy<KR, VR>(selector: (key: K, value: V) => KeyValue<KR, VR>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR> {
    this.lineage.enableSendingOldValues();
    const name = this.builder.nameOrGenerate(grouped?.options.name, 'KTABLE-SELECT-');
    this.builder.addNode(new ProcessorGraphNode(name, [this.name], tableRepartitionMapSupplier(selector), { keyChanging: true }));
    return new KGroupedTableImpl<KR, VR>(this.builder, name, grouped?.options.keySerde, grouped?.options.valueSerde, grouped?.options.name);
  }

  suppress(suppressed: Suppressed): KTable<K, V> {
    return suppressTable(this, suppressed);
  }

  private derive<VR>(
    prefix: string,
    named: Named | undefined,
    supplier: (flags: SendOldValues) => ReturnType<typeof tableFilterSupplier> | ReturnType<typeof tableMapValuesSupplier>,
    valueSerde: Serde<VR> | undefined,
  ): KTable<K, VR> {
    const name = this.builder.nameOrGenerate(named?.name, prefix);
    const flags: SendOldValues = { sendOldValues: false };
    this.builder.addNode(new ProcessorGraphNode(name, [this.name], supplier(flags)));
    const parent = this.lineage;
    return new KTableImpl<K, VR>(this.builder, name, this.keySerde, valueSerde, {
      queryableStoreName: () => null,
      enableSendingOldValues: () => {
        parent.enableSendingOldValues();
        flags.sendOldValues = true;
      },
    });
  }
}
