/**
 * Inserts a repartition: filter ▶ sink ▶ `<prefix>-repartition` ▶ source. Node names follow Kafka
 * Streams 3.9.1 (`KStreamImpl.createRepartitionedSource`): generated sink, filter and source names
 * (all three consume counter values) when the prefix is itself generated (`KSTREAM…-0123456789`),
 * else `<prefix>-repartition-{filter,sink,source}`. The filter drops null keys before a key-based
 * operation (`dropNullKeys`) and passes everything for `repartition()`; Kafka Streams' filter
 * passes everything and leaves null keys to the downstream operator, which skips them.
 */
import type { Serde } from '../../serde/types.js';
import type { SinkOptions, SourceOptions, StreamPartitioner } from '../../topology/types.js';
import { nullKeyFilterSupplier, passThroughSupplier } from '../processors/stream-stateless.js';
import type { InternalStreamsBuilder } from './builder.js';
import { defined } from './defined.js';
import { RepartitionGraphNode } from './nodes.js';

export interface RepartitionRequest<K, V> {
  readonly parent: string;
  readonly prefix: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly dropNullKeys: boolean;
  readonly numPartitions?: number | undefined;
  readonly partitioner?: StreamPartitioner<K, V> | undefined;
}

export function addRepartition<K, V>(builder: InternalStreamsBuilder, req: RepartitionRequest<K, V>): string {
  const topic = req.prefix.endsWith('-repartition') ? req.prefix : `${req.prefix}-repartition`;
  const genSink = builder.newProcessorName('KSTREAM-SINK-');
  const genFilter = builder.newProcessorName('KSTREAM-FILTER-');
  const genSource = builder.newProcessorName('KSTREAM-SOURCE-');
  const names = /^KSTREAM.*-[0-9]{10}$/.test(req.prefix)
    ? { topic, filter: genFilter, sink: genSink, source: genSource }
    : { topic, filter: `${topic}-filter`, sink: `${topic}-sink`, source: `${topic}-source` };
  const node = new RepartitionGraphNode(
    req.parent,
    names,
    req.dropNullKeys ? nullKeyFilterSupplier() : passThroughSupplier(),
    defined({ keySerde: req.keySerde, valueSerde: req.valueSerde, partitioner: req.partitioner }) as SinkOptions,
    defined({ keySerde: req.keySerde, valueSerde: req.valueSerde }) as SourceOptions,
    req.numPartitions === undefined ? {} : { numPartitions: req.numPartitions },
  );
  builder.addNode(node);
  return node.outputName;
}
