/**
 * Inserts a repartition: (null-key filter ▶) sink ▶ `<prefix>-repartition` ▶ source. Node names
 * follow Kafka Streams: with a user-given prefix `<prefix>-repartition-{filter,sink,source}`,
 * otherwise generated sink, filter and source names (all three consume counter values).
 */
import type { Serde } from '../../serde/types.js';
import type { SinkOptions, SourceOptions, StreamPartitioner } from '../../topology/types.js';
import { nullKeyFilterSupplier } from '../processors/stream-stateless.js';
import type { InternalStreamsBuilder } from './builder.js';
import { defined } from './defined.js';
import { RepartitionGraphNode } from './nodes.js';

export interface RepartitionRequest<K, V> {
  readonly parent: string;
  readonly prefix: string;
  readonly userNamed: boolean;
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
  const names = req.userNamed
    ? { topic, filter: `${topic}-filter`, sink: `${topic}-sink`, source: `${topic}-source` }
    : { topic, filter: genFilter, sink: genSink, source: genSource };
  const node = new RepartitionGraphNode(
    req.parent,
    { ...names, filter: req.dropNullKeys ? names.filter : null },
    req.dropNullKeys ? nullKeyFilterSupplier() : null,
    defined({ keySerde: req.keySerde, valueSerde: req.valueSerde, partitioner: req.partitioner }) as SinkOptions,
    defined({ keySerde: req.keySerde, valueSerde: req.valueSerde }) as SourceOptions,
    req.numPartitions === undefined ? {} : { numPartitions: req.numPartitions },
  );
  builder.addNode(node);
  return node.outputName;
}
