/** The aggregate processor of a grouped stream or table: one node owning a timestamped key-value store, read back as a `KTable`. */
import type { Serde } from '../../serde/types.js';
import type { AnyProcessorSupplier } from '../../topology/topology.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../options/materialized.js';
import type { SendOldValues } from '../processors/change-forwarder.js';
import type { InternalStreamsBuilder } from './builder.js';
import { KTableImpl } from './ktable-impl.js';
import { ProcessorGraphNode } from './nodes.js';
import { requireSerde, timestampedKeyValueStore } from './stores.js';

/**
 * Adds processor `funcName` under `parent`, made by `supplier` with the table's old-value flags,
 * with store `storeName` (serdes: `Materialized`, else `keySerde` / `defaultValueSerde`), and
 * returns the table over it.
 */
export function addAggregateTable<K, VA>(
  builder: InternalStreamsBuilder,
  funcName: string,
  parent: string,
  storeName: string,
  materialized: Materialized<K, VA> | undefined,
  upstreamKeySerde: Serde<K> | undefined,
  defaultValueSerde: Serde<VA> | undefined,
  supplier: (flags: SendOldValues) => AnyProcessorSupplier,
): KTable<K, VA> {
  const keySerde = materialized?.options.keySerde ?? upstreamKeySerde;
  const valueSerde = materialized?.options.valueSerde ?? defaultValueSerde;
  const flags: SendOldValues = { sendOldValues: false };
  builder.addNode(
    new ProcessorGraphNode(funcName, [parent], supplier(flags), {
      stores: () => [
        timestampedKeyValueStore(
          storeName,
          materialized,
          requireSerde(builder, 'key', `State store ${storeName}`, keySerde),
          requireSerde(builder, 'value', `State store ${storeName}`, valueSerde),
        ),
      ],
    }),
  );
  return new KTableImpl<K, VA>(builder, funcName, keySerde, valueSerde, {
    queryableStoreName: () => storeName,
    enableSendingOldValues: () => {
      flags.sendOldValues = true;
    },
  });
}
