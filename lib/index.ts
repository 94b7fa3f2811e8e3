/**
 * tributary's public API. Everything exported here is supported; anything else under lib/ is
 * internal and may change. Engineers: add exports by hand, one line each, grouped by area.
 */

// Processor API and physical topology
export type {
  Cancellable,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  PunctuationType,
  Record,
  RecordMetadata,
} from './topology/processor.js';
export { Topology } from './topology/topology.js';
export type {
  ConsumedRecord,
  OffsetReset,
  RecordContext,
  RepartitionTopicSpec,
  SinkOptions,
  SourceOptions,
  StreamPartitioner,
  TimestampExtractor,
  TopicNameExtractor,
} from './topology/types.js';
export type {
  GlobalStoreDescription,
  NodeDescription,
  ProcessorDescription,
  SinkDescription,
  SourceDescription,
  SubtopologyDescription,
  TopologyDescription,
} from './topology/describe.js';

// Errors
export { ConfigError, ProducerFencedError, SinkBackpressureError, TaskMigratedError, TributaryError } from './errors.js';
export type { ErrorCode, ErrorContext } from './errors.js';
