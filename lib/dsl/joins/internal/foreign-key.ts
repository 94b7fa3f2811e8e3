/**
 * Builds a foreign-key table join (see `foreign-key/processors.ts` for the data flow). Internal
 * topics: `<application.id>-<base>-subscription-registration-topic` (keyed by foreign key,
 * co-partitioned with the right table) and `<application.id>-<base>-subscription-response-topic`
 * (keyed by primary key, co-partitioned with the left table), where `<base>` is the `Named` name
 * or the generated `KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-<n>` / `...-RESPONSE-<n>`. Stores:
 * `<base>-subscription-store` (subscriptions per foreign key) and the result store
 * (`Materialized.as` name, else generated), which makes the result exact: a tombstone is emitted
 * only for a row that exists.
 */
import { Stores } from '../../../state/stores.js';
import type { Serde } from '../../../serde/types.js';
import { Serdes } from '../../../serde/serdes.js';
import type { Topology } from '../../../topology/topology.js';
import type { GraphNode } from '../../internal/graph-node.js';
import { KTableImpl } from '../../internal/ktable-impl.js';
import { requireSerde } from '../../internal/stores.js';
import type { KTable } from '../../ktable.js';
import type { Materialized } from '../../options/materialized.js';
import type { Named } from '../../options/named.js';
import type { SendOldValues } from '../../processors/change-forwarder.js';
import { responseSerde, subscriptionSerde } from '../foreign-key/messages.js';
import {
  responseResolverSupplier,
  rightUpdateFanoutSupplier,
  subscriptionReceiverSupplier,
  subscriptionSenderSupplier,
  type ForeignKeyJoinSpec,
} from '../foreign-key/processors.js';
import type { ValueJoiner } from '../value-joiner.js';
import { upstreamSources } from './join-graph-node.js';
import { readableTable, tableImpl } from './table-store.js';

interface Names {
  readonly sender: string;
  readonly subscriptionSink: string;
  readonly subscriptionTopic: string;
  readonly subscriptionSource: string;
  readonly receiver: string;
  readonly fanout: string;
  /** One sink for the receiver's and the fanout's answers. */
  readonly responseSink: string;
  readonly responseTopic: string;
  readonly responseSource: string;
  readonly resolver: string;
  readonly subscriptionStore: string;
  readonly resultStore: string;
}

export function joinForeignKey<K, V, KO, VO, VR>(
  left: KTableImpl<K, V>,
  rightTable: KTable<KO, VO>,
  extractor: (value: V, key: K) => KO | null,
  joiner: ValueJoiner<V, VO | null, VR, K>,
  leftJoin: boolean,
  named: Named | undefined,
  materialized: Materialized<K, VR> | undefined,
): KTable<K, VR> {
  const operator = leftJoin ? 'leftJoin (foreign key)' : 'join (foreign key)';
  const builder = left.builder;
  const right = tableImpl(rightTable, builder, operator);
  const leftReadable = readableTable(left, operator);
  const rightReadable = readableTable(right, operator);
  const n = named?.name;
  // Names and counter values in Kafka Streams 3.9.1's order (KTableImpl.doJoinOnForeignKey): one
  // value per name whether named or not, including its two processors tributary does not have
  // (`-subscription-join-foreign` is part of the receiver, `-subscription-response-resolver` of the
  // result processor).
  const nameOf = (suffix: string, prefix: string): string => builder.suffixedOrGenerate(n, suffix, prefix);
  const registration = nameOf('-subscription-registration', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-');
  const sender = nameOf('-subscription-registration-processor', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-');
  const subscriptionSink = nameOf('-subscription-registration-sink', 'KTABLE-SINK-');
  const subscriptionSource = nameOf('-subscription-registration-source', 'KTABLE-SOURCE-');
  const subscriptionStore = nameOf('-subscription-store', 'KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-');
  const receiver = nameOf('-subscription-receive', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  nameOf('-subscription-join-foreign', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  const fanout = nameOf('-foreign-join-subscription', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  const response = nameOf('-subscription-response', 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-');
  const responseSink = nameOf('-subscription-response-sink', 'KTABLE-SINK-');
  const responseSource = nameOf('-subscription-response-source', 'KTABLE-SOURCE-');
  nameOf('-subscription-response-resolver', 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-');
  const resolver = nameOf('-result', 'KTABLE-FK-JOIN-OUTPUT-');
  const generatedResultStore = materialized?.options.storeName === undefined ? builder.newStoreName('KTABLE-FK-JOIN-OUTPUT-') : undefined;
  const names: Names = {
    sender,
    subscriptionSink,
    subscriptionTopic: `${registration}-topic`,
    subscriptionSource,
    receiver,
    fanout,
    responseSink,
    responseTopic: `${response}-topic`,
    responseSource,
    resolver,
    subscriptionStore,
    resultStore: materialized?.options.storeName ?? (n ? `${n}-result-store` : generatedResultStore!),
  };
  if (n === undefined) builder.warn(`KTable ${operator} has no name; its internal topics and stores will shift when the topology changes: pass Named.as(...)`);

  const leftKeySerde = requireSerde(builder, 'key', `Foreign-key join ${registration}`, left.keySerde);
  const leftValueSerde = requireSerde(builder, 'value', `Foreign-key join ${registration}`, left.valueSerde);
  const foreignKeySerde = requireSerde(builder, 'key', `Foreign-key join ${registration}`, right.keySerde);
  const rightValueSerde = requireSerde(builder, 'value', `Foreign-key join ${registration}`, right.valueSerde);
  const flags: SendOldValues = { sendOldValues: false };
  const spec: ForeignKeyJoinSpec<K, V, KO, VO, VR> = {
    extractor,
    joiner,
    leftJoin,
    leftKeySerde,
    leftValueSerde,
    foreignKeySerde,
    subscriptionSink: names.subscriptionSink,
    resolver: names.resolver,
    subscriptionStore: names.subscriptionStore,
    rightStore: rightReadable.storeName,
    leftStore: leftReadable.storeName,
    resultStore: names.resultStore,
    subscriptionTopic: names.subscriptionTopic,
    flags,
  };
  // Without a serde for the result, the result store keeps only which keys are in the result
  // (enough for exact tombstones) and the table is neither queryable nor sends old values.
  const resultSerde: Serde<VR> | null =
    materialized?.options.valueSerde ??
    (materialized?.options.storeName !== undefined
      ? requireSerde(builder, 'value', `State store ${names.resultStore}`)
      : ((builder.options.defaultValueSerde as Serde<VR> | undefined) ?? null));
  builder.addNode(
    new ForeignKeyJoinNode(names, spec, leftReadable.node, rightReadable.node, rightValueSerde, resultSerde ?? presenceSerde<VR>(), materialized),
  );
  return new KTableImpl<K, VR>(builder, names.resolver, left.keySerde, materialized?.options.valueSerde, {
    queryableStoreName: () => (resultSerde === null ? null : names.resultStore),
    enableSendingOldValues: () => {
      flags.sendOldValues = resultSerde !== null;
    },
  });
}

class ForeignKeyJoinNode<K, V, KO, VO, VR> implements GraphNode {
  readonly keyChanging = false;
  readonly outputName: string;

  constructor(
    private readonly names: Names,
    private readonly spec: ForeignKeyJoinSpec<K, V, KO, VO, VR>,
    private readonly leftNode: string,
    private readonly rightNode: string,
    private readonly rightValueSerde: Serde<VO>,
    private readonly resultValueSerde: Serde<VR>,
    private readonly materialized: Materialized<K, VR> | undefined,
  ) {
    this.outputName = names.resolver;
  }

  writeToTopology(topology: Topology): void {
    const { names, spec } = this;
    const subSerdes = { keySerde: spec.foreignKeySerde, valueSerde: subscriptionSerde(spec.leftKeySerde) };
    const respSerdes = { keySerde: spec.leftKeySerde, valueSerde: responseSerde(this.rightValueSerde) };
    topology.addRepartitionTopic(names.subscriptionTopic);
    topology.addRepartitionTopic(names.responseTopic);
    // Left side: send subscriptions; resolve answers.
    topology.addProcessor(names.sender, subscriptionSenderSupplier(spec), this.leftNode);
    topology.addSink(names.subscriptionSink, names.subscriptionTopic, subSerdes, names.sender);
    topology.addSource(names.responseSource, [names.responseTopic], respSerdes);
    topology.addProcessor(names.resolver, responseResolverSupplier(spec), names.responseSource, names.sender);
    // Right side: keep subscriptions; answer them, now and on every right update.
    topology.addSource(names.subscriptionSource, [names.subscriptionTopic], subSerdes);
    topology.addProcessor(names.receiver, subscriptionReceiverSupplier(spec), names.subscriptionSource);
    topology.addProcessor(names.fanout, rightUpdateFanoutSupplier(spec), this.rightNode);
    topology.addSink(names.responseSink, names.responseTopic, respSerdes, names.receiver, names.fanout);

    const o = this.materialized?.options;
    const subSupplier =
      o?.storeType === 'in-memory' ? Stores.inMemoryKeyValueStore(names.subscriptionStore) : Stores.persistentKeyValueStore(names.subscriptionStore);
    topology.addStateStore(Stores.keyValueStoreBuilder(subSupplier, Serdes.bytes(), Serdes.bytes()).withLoggingEnabled(), names.receiver, names.fanout);
    topology.connectProcessorAndStateStores(names.receiver, spec.rightStore);
    const resultSupplier =
      o?.storeType === 'in-memory' ? Stores.inMemoryKeyValueStore(names.resultStore) : Stores.persistentTimestampedKeyValueStore(names.resultStore);
    const result = Stores.timestampedKeyValueStoreBuilder(resultSupplier, spec.leftKeySerde, this.resultValueSerde);
    topology.addStateStore(o === undefined || o.logging !== null ? result.withLoggingEnabled(o?.logging ?? {}) : result.withLoggingDisabled(), names.resolver);
    topology.connectProcessorAndStateStores(names.resolver, spec.leftStore);

    const leftSources = [names.responseSource, ...upstreamSources(topology, names.sender)];
    const rightSources = [names.subscriptionSource, ...upstreamSources(topology, names.fanout)];
    topology.copartitionSources(...new Set(leftSources));
    topology.copartitionSources(...new Set(rightSources));
  }
}

/** Stores nothing but presence: every value is written as zero bytes and read back as null. */
function presenceSerde<V>(): Serde<V> {
  return { serialize: () => Buffer.alloc(0), deserialize: () => null as V };
}
