/**
 * Builds table-table joins: `KTABLE-JOINTHIS-`/`KTABLE-JOINOTHER-` processors (every join kind,
 * as Kafka Streams names them), each keeping its side in `<processor>-store`, and a
 * `KTABLE-MERGE-` node. Both sides' sources must be co-partitioned. With `Materialized`, the
 * merge also writes the result to a named store (queryable, readable by later joins).
 */
import { Stores } from '../../../state/stores.js';
import type { Serde } from '../../../serde/types.js';
import type { StoreBuilder } from '../../../state/types.js';
import type { Change } from '../../change.js';
import { KTableImpl } from '../../internal/ktable-impl.js';
import { requireSerde } from '../../internal/stores.js';
import type { KTable } from '../../ktable.js';
import type { Materialized } from '../../options/materialized.js';
import type { Named } from '../../options/named.js';
import type { SendOldValues } from '../../processors/change-forwarder.js';
import { passThroughSupplier } from '../../processors/stream-stateless.js';
import { tableMaterializerSupplier } from '../processors/table-materializer.js';
import { tableTableJoinSupplier, type TableJoinKind, type TableTableJoinSpec } from '../processors/table-table-join.js';
import type { ValueJoiner } from '../value-joiner.js';
import { JoinGraphNode, type JoinProcessorDef } from './join-graph-node.js';
import { tableImpl } from './table-store.js';

export function joinTables<K, V1, V2, VR>(
  left: KTableImpl<K, V1>,
  rightTable: KTable<K, V2>,
  joiner: ValueJoiner<V1 | null, V2 | null, VR, K>,
  kind: TableJoinKind,
  named: Named | undefined,
  materialized: Materialized<K, VR> | undefined,
): KTable<K, VR> {
  const operator = kind === 'inner' ? 'join' : kind === 'left' ? 'leftJoin' : 'outerJoin';
  const builder = left.builder;
  const right = tableImpl(rightTable, builder, operator);
  // Kafka Streams 3.9.1 (KTableImpl.doJoin): the merge's name first, then JOINTHIS/JOINOTHER for every kind.
  const mergeName = builder.nameOrGenerate(named?.name, 'KTABLE-MERGE-');
  const thisName = builder.suffixedOrGenerate(named?.name, '-join-this', 'KTABLE-JOINTHIS-');
  const otherName = builder.suffixedOrGenerate(named?.name, '-join-other', 'KTABLE-JOINOTHER-');
  const leftStore = `${thisName}-store`;
  const rightStore = `${otherName}-store`;
  if (named === undefined)
    builder.warn(`KTable ${operator} has no name; its stores ${leftStore}, ${rightStore} will shift when the topology changes: pass Named.as(...)`);
  const keySerde = materialized?.options.keySerde ?? left.keySerde ?? right.keySerde;
  const flags: SendOldValues = { sendOldValues: false };
  const spec: TableTableJoinSpec<K, V1, V2, VR> = { leftStore, rightStore, kind, joiner, flags };
  const stores = [leftStore, rightStore];
  const resultStore = materialized?.options.storeName ?? null;
  const processors: JoinProcessorDef[] = [
    { name: thisName, parents: [left.name], supplier: tableTableJoinSupplier(spec, true), stores },
    { name: otherName, parents: [right.name], supplier: tableTableJoinSupplier(spec, false), stores },
    // With Materialized, the merge writes the result store (as Kafka Streams' KTableKTableJoinMerger).
    resultStore === null
      ? { name: mergeName, parents: [thisName, otherName], supplier: passThroughSupplier<K, Change<VR>>(), stores: [] }
      : { name: mergeName, parents: [thisName, otherName], supplier: tableMaterializerSupplier<K, VR>(resultStore), stores: [resultStore] },
  ];
  const output = mergeName;
  builder.addNode(
    new JoinGraphNode({
      outputName: output,
      processors,
      createStores: () => {
        const k = requireSerde(builder, 'key', `State store ${leftStore}`, keySerde);
        const out: StoreBuilder[] = [
          sideStore(leftStore, k, requireSerde(builder, 'value', `State store ${leftStore}`, left.valueSerde)),
          sideStore(rightStore, k, requireSerde(builder, 'value', `State store ${rightStore}`, right.valueSerde)),
        ];
        if (resultStore !== null) {
          const valueSerde = requireSerde(builder, 'value', `State store ${resultStore}`, materialized?.options.valueSerde);
          out.push(resultStoreBuilder(resultStore, materialized, k, valueSerde));
        }
        return out;
      },
      copartition: [thisName, otherName],
    }),
  );
  return new KTableImpl<K, VR>(builder, output, keySerde, materialized?.options.valueSerde, {
    queryableStoreName: () => resultStore,
    enableSendingOldValues: () => {
      flags.sendOldValues = true;
    },
  });
}

function sideStore<K, V>(name: string, keySerde: Serde<K>, valueSerde: Serde<V>): StoreBuilder {
  return Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(name), keySerde, valueSerde).withLoggingEnabled();
}

/** The result store honours the store type and logging of `Materialized`; it never caches (the merge forwards every change). */
function resultStoreBuilder<K, V>(name: string, materialized: Materialized<K, V> | undefined, keySerde: Serde<K>, valueSerde: Serde<V>): StoreBuilder {
  const o = materialized?.options;
  const supplier = o?.storeType === 'in-memory' ? Stores.inMemoryKeyValueStore(name) : Stores.persistentTimestampedKeyValueStore(name);
  const b = Stores.timestampedKeyValueStoreBuilder(supplier, keySerde, valueSerde);
  return o === undefined || o.logging !== null ? b.withLoggingEnabled(o?.logging ?? {}) : b.withLoggingDisabled();
}
