/**
 * Adds a KTable source processor (`KTABLE-SOURCE` for `builder.table`, `KSTREAM-TOTABLE` for
 * `toTable`). The table is materialized when `Materialized.as` names it or when a downstream
 * operator needs old values; the decision is read at `build()`.
 */
import type { Serde } from '../../serde/types.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../options/materialized.js';
import { tableSourceSupplier, type TableSourceState } from '../processors/table-source.js';
import type { InternalStreamsBuilder } from './builder.js';
import { KTableImpl } from './ktable-impl.js';
import { ProcessorGraphNode } from './nodes.js';
import { requireSerde, timestampedKeyValueStore } from './stores.js';

export interface TableSourceRequest<K, V> {
  readonly processorName: string;
  readonly parent: string;
  /** Name to use if materialized (given or generated). */
  readonly storeName: string;
  readonly materialized: Materialized<K, V> | undefined;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
}

export function addTableSource<K, V>(builder: InternalStreamsBuilder, req: TableSourceRequest<K, V>): KTable<K, V> {
  const state: TableSourceState = {
    storeName: req.materialized?.options.storeName !== undefined ? req.storeName : null,
    sendOldValues: false,
    forwards: true,
  };
  builder.addNode(
    new ProcessorGraphNode(req.processorName, [req.parent], tableSourceSupplier<K, V>(state), {
      stores: () =>
        state.storeName === null
          ? []
          : [
              timestampedKeyValueStore(
                state.storeName,
                req.materialized,
                requireSerde(builder, 'key', `State store ${state.storeName}`, req.keySerde),
                requireSerde(builder, 'value', `State store ${state.storeName}`, req.valueSerde),
              ),
            ],
    }),
  );
  return new KTableImpl<K, V>(builder, req.processorName, req.keySerde, req.valueSerde, {
    queryableStoreName: () => state.storeName,
    enableSendingOldValues: () => {
      state.storeName ??= req.storeName;
      state.sendOldValues = true;
    },
  });
}
