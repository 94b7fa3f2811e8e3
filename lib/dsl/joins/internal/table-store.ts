/**
 * Finds the store a join reads a KTable from. A source table is materialized on demand (its
 * store is the one `builder.table` fills); an aggregation result already has one; a derived
 * table (filter, mapValues) has none, so its updates are materialized into a new store by a
 * processor under the table. Such a copy is written when the derived table's updates flow,
 * i.e. after the upstream cache flushes when the source table caches.
 */
import { Stores } from '../../../state/stores.js';
import type { InternalStreamsBuilder } from '../../internal/builder.js';
import { KTableImpl } from '../../internal/ktable-impl.js';
import { ProcessorGraphNode } from '../../internal/nodes.js';
import { requireSerde } from '../../internal/stores.js';
import type { KTable } from '../../ktable.js';
import { TributaryError } from '../../../errors.js';
import { tableMaterializerSupplier } from '../processors/table-materializer.js';

export function tableImpl<K, V>(table: KTable<K, V>, builder: InternalStreamsBuilder, operator: string): KTableImpl<K, V> {
  if (!(table instanceof KTableImpl) || table.builder !== builder) {
    throw new TributaryError(`${operator}: both sides must come from the same StreamsBuilder`, { code: 'TOPOLOGY' });
  }
  return table as KTableImpl<K, V>;
}

export interface ReadableTable {
  readonly storeName: string;
  /** The node whose output carries the table's updates after the store was written. */
  readonly node: string;
}

export function readableTable<K, V>(table: KTableImpl<K, V>, operator: string): ReadableTable {
  table.lineage.enableSendingOldValues();
  const existing = table.lineage.queryableStoreName();
  if (existing !== null) return { storeName: existing, node: table.name };
  const builder = table.builder;
  const name = builder.newProcessorName('KTABLE-MATERIALIZE-');
  const storeName = builder.newStoreName('KTABLE-MATERIALIZE-');
  builder.warn(
    `${operator} reads a derived table through the generated store ${storeName}; materialize the table with a name (Materialized.as) so its store and changelog stay stable`,
  );
  const keySerde = table.keySerde;
  const valueSerde = table.valueSerde;
  builder.addNode(
    new ProcessorGraphNode(name, [table.name], tableMaterializerSupplier<K, V>(storeName), {
      stores: () => [
        Stores.timestampedKeyValueStoreBuilder(
          Stores.persistentTimestampedKeyValueStore(storeName),
          requireSerde(builder, 'key', `State store ${storeName}`, keySerde),
          requireSerde(builder, 'value', `State store ${storeName}`, valueSerde),
        ),
      ],
    }),
  );
  return { storeName, node: name };
}
