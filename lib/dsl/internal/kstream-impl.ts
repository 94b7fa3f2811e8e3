/** The `KStream` implementation: each operator adds a graph node and returns a new stream. */
import { filterStep, mapStep, mapValuesStep, peekStep, selectKeyStep, type RecordStep } from '../processors/record-steps.js';
import { PASS_THROUGH, type RecordStepFusible } from './fusible.js';
import { TributaryError } from '../../errors.js';
import type { Serde } from '../../serde/types.js';
import type { KeyValue } from '../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../topology/processor.js';
import type { TopicNameExtractor } from '../../topology/types.js';
import type { BranchedKStream } from '../branched-kstream.js';
import type { KGroupedStream } from '../kgrouped-stream.js';
import type { KStream, ProcessOptions } from '../kstream.js';
import type { KTable } from '../ktable.js';
import type { Grouped } from '../options/grouped.js';
import type { Materialized } from '../options/materialized.js';
import type { Named } from '../options/named.js';
import type { Produced } from '../options/produced.js';
import type { Repartitioned } from '../options/repartitioned.js';
import {
  filterSupplier,
  flatMapSupplier,
  flatMapValuesSupplier,
  mapSupplier,
  mapValuesSupplier,
  passThroughSupplier,
  peekSupplier,
  selectKeySupplier,
} from '../processors/stream-stateless.js';
import { BranchedKStreamImpl } from './branched-kstream-impl.js';
import type { InternalStreamsBuilder } from './builder.js';
import { defined } from './defined.js';
import { KGroupedStreamImpl } from './kgrouped-stream-impl.js';
import { ProcessorGraphNode, SinkGraphNode } from './nodes.js';
import { addRepartition } from './repartition.js';
import { addTableSource } from './table-source.js';
import { streamJoin } from '../joins/internal/dispatch.js';

export class KStreamImpl<K, V> implements KStream<K, V> {
  constructor(
    readonly builder: InternalStreamsBuilder,
    /** Topology name of the node whose output this stream is. */
    readonly name: string,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    /** A key-changing operation happened since the last repartition. */
    readonly repartitionRequired: boolean,
  ) {}

  // Joins (lib/dsl/joins): the argument types pick stream-stream, stream-table or global-table.
  join: KStream<K, V>['join'] = (...args: unknown[]) => streamJoin(this as KStreamImpl<unknown, unknown>, 'inner', args) as never;
  leftJoin: KStream<K, V>['leftJoin'] = (...args: unknown[]) => streamJoin(this as KStreamImpl<unknown, unknown>, 'left', args) as never;
  outerJoin: KStream<K, V>['outerJoin'] = (...args: unknown[]) => streamJoin(this as KStreamImpl<unknown, unknown>, 'outer', args) as never;

  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.stateless(
      'KSTREAM-FILTER-',
      named,
      filterSupplier(predicate, false),
      false,
      this.keySerde,
      this.valueSerde,
      step('filter', filterStep(predicate, false)),
    );
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.stateless(
      'KSTREAM-FILTER-',
      named,
      filterSupplier(predicate, true),
      false,
      this.keySerde,
      this.valueSerde,
      step('filterNot', filterStep(predicate, true)),
    );
  }

  map<KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>, named?: Named): KStream<KR, VR> {
    return this.stateless<KR, VR>('KSTREAM-MAP-', named, mapSupplier(mapper), true, undefined, undefined, step('map', mapStep(mapper)));
  }

  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KStream<K, VR> {
    return this.stateless<K, VR>(
      'KSTREAM-MAPVALUES-',
      named,
      mapValuesSupplier(mapper),
      false,
      this.keySerde,
      undefined,
      step('mapValues', mapValuesStep(mapper)),
    );
  }

  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>, named?: Named): KStream<KR, VR> {
    return this.stateless<KR, VR>('KSTREAM-FLATMAP-', named, flatMapSupplier(mapper), true, undefined, undefined);
  }

  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, named?: Named): KStream<K, VR> {
    return this.stateless<K, VR>('KSTREAM-FLATMAPVALUES-', named, flatMapValuesSupplier(mapper), false, this.keySerde, undefined);
  }

  selectKey<KR>(selector: (key: K, value: V) => KR, named?: Named): KStream<KR, V> {
    return this.stateless<KR, V>(
      'KSTREAM-KEY-SELECT-',
      named,
      selectKeySupplier(selector),
      true,
      undefined,
      this.valueSerde,
      step('selectKey', selectKeyStep(selector)),
    );
  }

  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    return this.stateless('KSTREAM-PEEK-', named, peekSupplier(action, true), false, this.keySerde, this.valueSerde, step('peek', peekStep(action, true)));
  }

  foreach(action: (key: K, value: V) => void, named?: Named): void {
    this.stateless('KSTREAM-FOREACH-', named, peekSupplier(action, false), false, this.keySerde, this.valueSerde, step('foreach', peekStep(action, false)));
  }

  split(named?: Named): BranchedKStream<K, V> {
    return new BranchedKStreamImpl(this, this.builder.nameOrGenerate(named?.name, 'KSTREAM-BRANCH-'));
  }

  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const o = other as KStreamImpl<K, V>;
    if (o.builder !== this.builder) throw new TributaryError('merge: streams come from different StreamsBuilders', { code: 'TOPOLOGY' });
    const name = this.builder.nameOrGenerate(named?.name, 'KSTREAM-MERGE-');
    const parents = o.name === this.name ? [this.name] : [this.name, o.name];
    this.builder.addNode(new ProcessorGraphNode(name, parents, passThroughSupplier<K, V>(), { fusible: PASS_THROUGH }));
    const sameKey = this.keySerde === o.keySerde ? this.keySerde : undefined;
    const sameValue = this.valueSerde === o.valueSerde ? this.valueSerde : undefined;
    return new KStreamImpl(this.builder, name, sameKey, sameValue, this.repartitionRequired || o.repartitionRequired);
  }

  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V> {
    const opts = repartitioned?.options;
    const userNamed = opts?.name !== undefined;
    const prefix = opts?.name ?? this.builder.newProcessorName('KSTREAM-REPARTITION-');
    if (!userNamed)
      this.builder.warn(`repartition() has no name; its topic ${prefix}-repartition will shift when the topology changes: use Repartitioned.as(...)`);
    const keySerde = opts?.keySerde ?? this.keySerde;
    const valueSerde = opts?.valueSerde ?? this.valueSerde;
    const name = addRepartition(this.builder, {
      parent: this.name,
      prefix,
      keySerde,
      valueSerde,
      dropNullKeys: false,
      numPartitions: opts?.numPartitions,
      partitioner: opts?.partitioner,
    });
    return new KStreamImpl(this.builder, name, keySerde, valueSerde, false);
  }

  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V> | Produced<K, NonNullable<V>>): void {
    const opts = (produced as Produced<K, V> | undefined)?.options;
    const name = this.builder.nameOrGenerate(opts?.name, 'KSTREAM-SINK-');
    const options = defined({
      keySerde: opts?.keySerde ?? this.keySerde,
      valueSerde: opts?.valueSerde ?? this.valueSerde,
      partitioner: opts?.partitioner,
    });
    this.builder.addNode(new SinkGraphNode(name, this.name, topic as string | TopicNameExtractor, options as never));
  }

  toTable(named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    // Kafka Streams' order: the processor name, the store name, then the repartition named after the processor.
    const name = this.builder.nameOrGenerate(named?.name, 'KSTREAM-TOTABLE-');
    const storeName = materialized?.options.storeName ?? this.builder.newStoreName('KSTREAM-TOTABLE-');
    const upstream = this.repartitionForKeyOperation(name, 'toTable', named?.name === undefined);
    return addTableSource<K, V>(this.builder, {
      processorName: name,
      parent: upstream.name,
      storeName,
      materialized,
      keySerde: materialized?.options.keySerde ?? upstream.keySerde,
      valueSerde: materialized?.options.valueSerde ?? upstream.valueSerde,
    });
  }

  process<KR, VR>(supplier: ProcessorSupplier<K, V, KR, VR>, options: ProcessOptions = {}): KStream<KR, VR> {
    const name = options.named?.name ?? this.builder.newProcessorName('KSTREAM-PROCESSOR-');
    this.builder.addNode(new ProcessorGraphNode(name, [this.name], supplier, { keyChanging: true, connectStores: options.stores ?? [] }));
    return new KStreamImpl<KR, VR>(this.builder, name, undefined, undefined, true);
  }

  processValues<VR>(supplier: ProcessorSupplier<K, V, K, VR>, options: ProcessOptions = {}): KStream<K, VR> {
    const name = options.named?.name ?? this.builder.newProcessorName('KSTREAM-PROCESSVALUES-');
    this.builder.addNode(new ProcessorGraphNode(name, [this.name], fixedKeySupplier(supplier, name), { connectStores: options.stores ?? [] }));
    return new KStreamImpl<K, VR>(this.builder, name, this.keySerde, undefined, this.repartitionRequired);
  }

  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    const g = grouped?.options;
    return new KGroupedStreamImpl<K, V>(
      this.builder,
      this.name,
      g?.keySerde ?? this.keySerde,
      g?.valueSerde ?? this.valueSerde,
      this.repartitionRequired,
      g?.name,
    );
  }

  groupBy<KR>(selector: (key: K, value: V) => KR, grouped?: Grouped<KR, V>): KGroupedStream<KR, V> {
    const selected = this.selectKey(selector) as KStreamImpl<KR, V>;
    const g = grouped?.options;
    return new KGroupedStreamImpl<KR, V>(this.builder, selected.name, g?.keySerde, g?.valueSerde ?? this.valueSerde, true, g?.name);
  }

  /** This stream, or a repartitioned copy when the key changed upstream (null keys dropped). */
  repartitionForKeyOperation(prefix: string, operator: string, generated: boolean): KStreamImpl<K, V> {
    if (!this.repartitionRequired) return this;
    if (generated)
      this.builder.warn(`${operator} after a key change has no name; its repartition topic ${prefix}-repartition will shift when the topology changes`);
    const name = addRepartition(this.builder, {
      parent: this.name,
      prefix,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      dropNullKeys: true,
    });
    return new KStreamImpl(this.builder, name, this.keySerde, this.valueSerde, false);
  }

  private stateless<KR, VR>(
    prefix: string,
    named: Named | undefined,
    supplier: ProcessorSupplier<never, never, KR, VR> | ProcessorSupplier<K, V, KR, VR>,
    keyChanging: boolean,
    keySerde: Serde<KR> | undefined,
    valueSerde: Serde<VR> | undefined,
    fusible?: RecordStepFusible,
  ): KStream<KR, VR> {
    const name = this.builder.nameOrGenerate(named?.name, prefix);
    this.builder.addNode(new ProcessorGraphNode(name, [this.name], supplier, fusible === undefined ? { keyChanging } : { keyChanging, fusible }));
    return new KStreamImpl(this.builder, name, keySerde, valueSerde, this.repartitionRequired || keyChanging);
  }
}

function step(operator: string, fn: RecordStep): RecordStepFusible {
  return { kind: 'record-step', operator, step: fn };
}

/** Wraps a processor so that forwarding a record under another key than the input's throws. */
function fixedKeySupplier<K, V, VR>(supplier: ProcessorSupplier<K, V, K, VR>, name: string): ProcessorSupplier<K, V, K, VR> {
  return () => {
    const inner = supplier();
    let current: { key: K } | null = null;
    const wrapper: Processor<K, V, K, VR> = {
      init(context: ProcessorContext<K, VR>) {
        const guarded: ProcessorContext<K, VR> = Object.create(context, {
          forward: {
            value: (record: Record<K, VR>, childName?: string) => {
              if (current !== null && !Object.is(record.key, current.key)) {
                throw new TributaryError(`processValues ${name}: a value processor must not change the key`, { code: 'PROCESSING' });
              }
              context.forward(record, childName);
            },
          },
        });
        inner.init?.(guarded);
      },
      process(record: Record<K, V>) {
        current = { key: record.key };
        try {
          inner.process(record);
        } finally {
          current = null;
        }
      },
    };
    if (inner.close) wrapper.close = () => inner.close!();
    return wrapper;
  };
}
