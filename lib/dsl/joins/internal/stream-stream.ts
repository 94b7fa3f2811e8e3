/**
 * Builds a windowed stream-stream join: repartitions a key-changed side, creates the two window
 * stores (duplicates retained, retention `JoinWindows.retentionMs`) and, for left/outer joins,
 * the pending-unmatched store; adds one join processor per side and a merge node.
 *
 * Names follow Kafka Streams (so changelog topics match a Java app built the same way): counter
 * values are taken for `KSTREAM-WINDOWED-` ×2, then `KSTREAM-JOINTHIS-`/`KSTREAM-OUTERTHIS-`,
 * `KSTREAM-JOINOTHER-`/`KSTREAM-OUTEROTHER-`, `KSTREAM-MERGE-`; the stores are `<this>-store`,
 * `<other>-store` and `KSTREAM-OUTERSHARED-<n>-store`. tributary does the window-store put inside
 * the join processors, so the two WINDOWED names are reserved but no such nodes exist.
 */
import { Serdes } from '../../../serde/serdes.js';
import type { Serde } from '../../../serde/types.js';
import { Stores } from '../../../state/stores.js';
import type { StoreBuilder } from '../../../state/types.js';
import type { SinkOptions } from '../../../topology/types.js';
import { ConfigError } from '../../../errors.js';
import { passThroughSupplier } from '../../processors/stream-stateless.js';
import { KStreamImpl } from '../../internal/kstream-impl.js';
import { requireSerde } from '../../internal/stores.js';
import type { KStream } from '../../kstream.js';
import type { JoinWindows } from '../join-windows.js';
import { LEFT, RIGHT } from '../processors/pending-unmatched.js';
import { joinStateSlot, streamStreamJoinSupplier, type StreamStreamJoinSpec } from '../processors/stream-stream-join.js';
import type { StreamJoined } from '../stream-joined.js';
import type { ValueJoiner } from '../value-joiner.js';
import { JoinGraphNode } from './join-graph-node.js';
import { repartitionedSide, streamImpl } from './side.js';

export type StreamJoinKind = 'inner' | 'left' | 'outer';

export function joinStreams<K, V1, V2, VR>(
  left: KStreamImpl<K, V1>,
  rightStream: KStream<K, V2>,
  joiner: ValueJoiner<V1 | null, V2 | null, VR, K>,
  windows: JoinWindows,
  streamJoined: StreamJoined<K, V1, V2> | undefined,
  kind: StreamJoinKind,
): KStream<K, VR> {
  const operator = kind === 'inner' ? 'join' : kind === 'left' ? 'leftJoin' : 'outerJoin';
  const builder = left.builder;
  const right = streamImpl(rightStream, builder, operator);
  const o = streamJoined?.options;
  const keySerde = o?.keySerde ?? left.keySerde ?? right.keySerde;
  const leftSerde = o?.valueSerde ?? left.valueSerde;
  const rightSerde = o?.otherValueSerde ?? right.valueSerde;
  const l = repartitionedSide(left, o?.name, 'left', keySerde, leftSerde, operator);
  const r = repartitionedSide(right, o?.name, 'right', keySerde, rightSerde, operator);

  const leftOuter = kind !== 'inner';
  const rightOuter = kind === 'outer';
  builder.newProcessorName('KSTREAM-WINDOWED-');
  builder.newProcessorName('KSTREAM-WINDOWED-');
  const genThis = builder.newProcessorName(rightOuter ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-');
  const genOther = builder.newProcessorName(leftOuter ? 'KSTREAM-OUTEROTHER-' : 'KSTREAM-JOINOTHER-');
  const genMerge = builder.newProcessorName('KSTREAM-MERGE-');
  // Kafka Streams 3.9.1 (KStreamImplJoin, OuterStreamJoinStoreFactory): an outer side's names say so.
  const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join';
  const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join';
  const thisName = o?.name !== undefined ? `${o.name}${thisSuffix}` : genThis;
  const otherName = o?.name !== undefined ? `${o.name}${otherSuffix}` : genOther;
  const mergeName = o?.name !== undefined ? `${o.name}-merge` : genMerge;
  const index = genThis.slice(genThis.lastIndexOf('-') + 1);
  const leftStore = o?.storeName !== undefined ? `${o.storeName}${thisSuffix}-store` : `${genThis}-store`;
  const rightStore = o?.storeName !== undefined ? `${o.storeName}${otherSuffix}-store` : `${genOther}-store`;
  const sharedSuffix = rightOuter ? '-outer-shared-join' : '-left-shared-join';
  const pendingStore = !leftOuter ? null : o?.storeName !== undefined ? `${o.storeName}${sharedSuffix}-store` : `KSTREAM-OUTERSHARED-${index}-store`;
  if (o?.storeName === undefined) {
    builder.warn(
      `${operator} has no store name; its stores ${leftStore}, ${rightStore} (and changelogs) will shift when the topology changes: use StreamJoined.as(...)`,
    );
  }

  const what = `State store ${leftStore}`;
  const k = requireSerde(builder, 'key', what, keySerde);
  const v1 = requireSerde(builder, 'value', what, leftSerde);
  const v2 = requireSerde(builder, 'value', `State store ${rightStore}`, rightSerde);
  const spec: StreamStreamJoinSpec<K, V1, V2, VR> = {
    leftStore,
    rightStore,
    pendingStore,
    windows,
    leftOuter,
    rightOuter,
    joiner,
    keySerde: k,
    leftSerde: v1,
    rightSerde: v2,
    pendingTopic: pendingStore ?? '',
    processorNames: [thisName, otherName],
    mergeName,
    lateCallback: typeof o?.lateRecords === 'function' ? o.lateRecords : null,
    lateSink: o?.lateRecords !== undefined && typeof o.lateRecords !== 'function' ? `${mergeName}-late-records-sink` : null,
    shared: joinStateSlot(mergeName),
  };
  const lateTopic = o?.lateRecords !== undefined && typeof o.lateRecords !== 'function' ? o.lateRecords : null;
  const sinks =
    lateTopic === null
      ? []
      : [
          {
            name: spec.lateSink!,
            topic: lateTopic.topic,
            options: {
              keySerde: lateTopic.keySerde ?? k,
              valueSerde: lateTopic.valueSerde ?? (v1 === (v2 as unknown) ? v1 : lateValueSerdeMissing(lateTopic.topic)),
            } as SinkOptions,
            parents: [thisName, otherName],
          },
        ];
  const stores = [leftStore, rightStore, ...(pendingStore === null ? [] : [pendingStore])];
  builder.addNode(
    new JoinGraphNode({
      outputName: mergeName,
      processors: [
        { name: thisName, parents: [l.name], supplier: streamStreamJoinSupplier(spec, LEFT), stores },
        { name: otherName, parents: [r.name], supplier: streamStreamJoinSupplier(spec, RIGHT), stores },
        { name: mergeName, parents: [thisName, otherName], supplier: passThroughSupplier(), stores: [] },
      ],
      createStores: () => {
        const out: StoreBuilder[] = [windowStore(leftStore, windows, k, v1, o), windowStore(rightStore, windows, k, v2, o)];
        if (pendingStore !== null) out.push(pendingStoreBuilder(pendingStore, o));
        return out;
      },
      sinks,
      copartition: [thisName, otherName],
    }),
  );
  return new KStreamImpl<K, VR>(builder, mergeName, keySerde, undefined, false);
}

function windowStore<K, V>(name: string, windows: JoinWindows, keySerde: Serde<K>, valueSerde: Serde<V>, o: StoreOptions | undefined): StoreBuilder {
  const size = Math.max(0, windows.sizeMs); // as Kafka Streams: before + after (<= retention)
  const supplier =
    o?.storeType === 'in-memory'
      ? Stores.inMemoryWindowStore(name, windows.retentionMs, size, true)
      : Stores.persistentWindowStore(name, windows.retentionMs, size, true);
  const b = Stores.windowStoreBuilder(supplier, keySerde, valueSerde);
  return o === undefined || o.logging !== null ? b.withLoggingEnabled(o?.logging ?? {}) : b.withLoggingDisabled();
}

interface StoreOptions {
  readonly storeType: 'persistent' | 'in-memory' | undefined;
  readonly logging: Readonly<Record<string, string>> | null;
}

function pendingStoreBuilder(name: string, o: StoreOptions | undefined): StoreBuilder {
  const supplier = o?.storeType === 'in-memory' ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name);
  const b = Stores.keyValueStoreBuilder(supplier, Serdes.bytes(), Serdes.bytes());
  return o === undefined || o.logging !== null ? b.withLoggingEnabled(o?.logging ?? {}) : b.withLoggingDisabled();
}

function lateValueSerdeMissing(topic: string): never {
  throw new ConfigError(`Late-records topic ${topic}: the two sides have different value serdes; give the topic a valueSerde`);
}
