/**
 * Builds stream-table joins (`KSTREAM-JOIN-` / `KSTREAM-LEFTJOIN-` processor reading the table's
 * store; the stream side is repartitioned first after a key change, and both sides' sources
 * must be co-partitioned) and stream-global-table joins (no repartition, no co-partitioning:
 * every instance holds the whole global table).
 */
import type { GlobalKTable, KTable } from '../../ktable.js';
import { KStreamImpl } from '../../internal/kstream-impl.js';
import type { KStream } from '../../kstream.js';
import type { Named } from '../../options/named.js';
import type { Joined } from '../joined.js';
import { streamTableJoinSupplier } from '../processors/stream-table-join.js';
import type { KeyMapper, ValueJoiner } from '../value-joiner.js';
import { JoinGraphNode } from './join-graph-node.js';
import { repartitionedSide } from './side.js';
import { readableTable, tableImpl } from './table-store.js';

export function joinStreamTable<K, V, VT, VR>(
  stream: KStreamImpl<K, V>,
  table: KTable<K, VT>,
  joiner: ValueJoiner<V, VT | null, VR, K>,
  joined: Joined<K, V, VT> | undefined,
  leftJoin: boolean,
): KStream<K, VR> {
  const operator = leftJoin ? 'leftJoin' : 'join';
  const builder = stream.builder;
  const t = tableImpl(table, builder, operator);
  const o = joined?.options;
  const keySerde = o?.keySerde ?? stream.keySerde ?? t.keySerde;
  const s = repartitionedSide(stream, o?.name, 'left', keySerde, o?.valueSerde ?? stream.valueSerde, operator);
  const readable = readableTable(t, operator);
  const name = builder.nameOrGenerate(o?.name, leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
  builder.addNode(
    new JoinGraphNode({
      outputName: name,
      processors: [
        {
          name,
          parents: [s.name],
          supplier: streamTableJoinSupplier<K, V, K, VT, VR>({ storeName: readable.storeName, keyMapper: null, joiner, leftJoin }),
          stores: [readable.storeName],
        },
      ],
      copartition: [name, readable.node],
    }),
  );
  return new KStreamImpl<K, VR>(builder, name, s.keySerde, undefined, false);
}

export function joinStreamGlobalTable<K, V, KG, VG, VR>(
  stream: KStreamImpl<K, V>,
  table: GlobalKTable<KG, VG>,
  keyMapper: KeyMapper<K, V, KG>,
  joiner: ValueJoiner<V, VG | null, VR, K>,
  named: Named | undefined,
  leftJoin: boolean,
): KStream<K, VR> {
  const builder = stream.builder;
  // Kafka Streams 3.9.1 names global-table joins KSTREAM-LEFTJOIN-… whether inner or left.
  const name = builder.nameOrGenerate(named?.name, 'KSTREAM-LEFTJOIN-');
  builder.addNode(
    new JoinGraphNode({
      outputName: name,
      processors: [
        {
          name,
          parents: [stream.name],
          supplier: streamTableJoinSupplier<K, V, KG, VG, VR>({ storeName: table.queryableStoreName, keyMapper, joiner, leftJoin }),
          stores: [],
        },
      ],
    }),
  );
  return new KStreamImpl<K, VR>(builder, name, stream.keySerde, undefined, stream.repartitionRequired);
}
