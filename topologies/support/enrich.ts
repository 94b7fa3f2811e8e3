/**
 * Metadata enrichment: adds where a record came from (topic, partition, offset) and when the
 * pipeline processed it (wall clock, ISO-8601 UTC) to each value — the columns Spark's Kafka source
 * exposes and the seed's job copies into the bronze table. Stateless, record-by-record; for
 * `KStream.processValues`.
 */
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../lib/index.js';

export interface SourceMetadata {
  readonly source_topic: string;
  readonly source_partition: number;
  readonly source_offset: number;
  readonly ingest_time: string;
}

class EnrichProcessor<K, V, VR> implements Processor<K, V, K, VR> {
  private context!: ProcessorContext<K, VR>;

  constructor(private readonly build: (value: V, metadata: SourceMetadata) => VR) {}

  init(context: ProcessorContext<K, VR>): void {
    this.context = context;
  }

  process(record: Record<K, V>): void {
    const meta = this.context.recordMetadata();
    if (meta === null) throw new Error('enrich: no record metadata (called from a punctuation?)');
    const value = this.build(record.value, {
      source_topic: meta.topic,
      source_partition: meta.partition,
      source_offset: meta.offset,
      ingest_time: new Date(this.context.currentSystemTimeMs()).toISOString(),
    });
    this.context.forward({ key: record.key, value, timestamp: record.timestamp, headers: record.headers });
  }
}

export function enrichWithMetadata<K, V, VR>(build: (value: V, metadata: SourceMetadata) => VR): ProcessorSupplier<K, V, K, VR> {
  return () => new EnrichProcessor<K, V, VR>(build);
}
