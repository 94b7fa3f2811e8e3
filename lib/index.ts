/**
 * tributary's public API. Everything exported here is supported; anything else under lib/ is
 * internal and may change. Engineers: add exports by hand, one line each, grouped by area.
 */

// Processor API and physical topology
export type {
  Cancellable,
  CommitParticipant,
  CommitParticipantMetrics,
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
  FusedProcessorDescription,
  GlobalStoreDescription,
  NodeDescription,
  ProcessorDescription,
  SinkDescription,
  SourceDescription,
  SubtopologyDescription,
  TopologyDescription,
} from './topology/describe.js';

// DSL
export { StreamsBuilder } from './dsl/streams-builder.js';
export type { DeltaStreamOptions, DslLogger, StreamsBuilderOptions } from './dsl/streams-builder.js';
export type { BranchedKStream } from './dsl/branched-kstream.js';
export type { KGroupedStream } from './dsl/kgrouped-stream.js';
export type { KGroupedTable } from './dsl/kgrouped-table.js';
export type { KStream, ProcessOptions } from './dsl/kstream.js';
export type { GlobalKTable, KTable } from './dsl/ktable.js';
export type { Change } from './dsl/change.js';
export { Branched } from './dsl/options/branched.js';
export { Consumed } from './dsl/options/consumed.js';
export { Grouped } from './dsl/options/grouped.js';
export { Materialized } from './dsl/options/materialized.js';
export type { StoreType } from './dsl/options/materialized.js';
export { Named } from './dsl/options/named.js';
export { Produced } from './dsl/options/produced.js';
export { Repartitioned } from './dsl/options/repartitioned.js';
export { JoinWindows, Joined, StreamJoined } from './dsl/joins/index.js';
export type { KeyMapper, ValueJoiner } from './dsl/joins/index.js';

// Event time: windows, suppression, late records, clocks, timestamp extractors
export { TimeWindows, SlidingWindows, SessionWindows, EmitStrategy } from './dsl/windows/index.js';
export type { DurationInput } from './dsl/windows/index.js';
export { Suppressed, BufferConfig, LATE_HEADER_PREFIX } from './dsl/windowed/index.js';
export type {
  TimeWindowedKStream,
  SessionWindowedKStream,
  WindowedOptions,
  LateRecord,
  LateRecordInfo,
  LateRecords,
  LateRecordsCallback,
  LateRecordsTopic,
} from './dsl/windowed/index.js';
export type { Window, Windowed } from './state/types.js';
export { EventTime, TimestampExtractors, InvalidTimestampError, parseEventTime } from './time/index.js';
export type { EventTimeMode, TimestampParseOptions } from './time/index.js';

// Durations ("10 minutes", "1h30m") as the CLI and window sizes spell them
export { parseDuration, formatDuration } from './util/duration.js';
export type { ParseDurationOptions } from './util/duration.js';

// Serdes
export { Serdes } from './serde/serdes.js';
export type { Serde } from './serde/types.js';

// Records (Processor API helpers)
export { createRecord, hasNullValue, withKey, withKeyValue, withTimestamp, withValue } from './topology/record.js';
export type { BuiltTopology, Subtopology } from './topology/built-topology.js';
export type { FusedProcessorDef } from './topology/fusion.js';

// Errors
export {
  ConfigError,
  ProducerFencedError,
  RecordRejectedError,
  RecordTooLargeError,
  SinkBackpressureError,
  TaskMigratedError,
  TributaryError,
} from './errors.js';
export type { ErrorCode, ErrorContext } from './errors.js';

// Application: run a topology on a Kafka cluster (exactly-once by default)
export { TributaryApp, configFromProperties } from './app/index.js';
// The one configuration (docs/configuration.md): keys, failure handlers, logger
export type { TributaryConfig, HandlerName, ProcessingGuarantee, RuntimeLogger, RuntimeLogLevel } from './runtime/config.js';
export { ErrorHandlers } from './runtime/error-handlers.js';
export type {
  DeserializationExceptionHandler,
  ErrorHandlerContext,
  ErrorResponse,
  ProcessingExceptionHandler,
  ProductionExceptionHandler,
} from './runtime/error-handlers.js';
// The Kafka client seam (\`TributaryConfig.client\`): implemented by tributary's kafkajs and @platformatic/kafka adapters (`kafkaClient`) and by \`EmbeddedKafka\` (tributary/testing)
export type { KafkaClient } from './kafka/types.js';
export type { KafkaClientKind } from './kafka/client-choice.js';
export type {
  AppMetrics,
  AppProgress,
  TaskProgress,
  CommitLatencyWindow,
  AppState,
  AppStateListener,
  CloseOptions,
  TributaryAppConfig,
  UncaughtExceptionHandler,
  UncaughtExceptionResponse,
} from './app/index.js';
export type { PartitionLag } from './app/lag.js';

// Connecting to a secured cluster (TLS, SASL, OAUTHBEARER; Java-style client.properties)
export { loadClientProperties, parseClientProperties, SASL_PASSWORD_ENV, SASL_USERNAME_ENV } from './app/index.js';
export type { ClientProperties, ClientPropertiesOptions } from './app/index.js';
export { describeSecurity } from './kafka/security.js';
export type { KafkaSecurity, OAuthBearerToken, OAuthBearerTokenProvider, SaslConfig, SaslMechanism, SecurityProtocol, TlsConfig } from './kafka/security.js';

// Observability: Prometheus metrics, health endpoints, the live page
export { TributaryMetrics, startMetricsServer } from './observability/index.js';
export type { MetricsServer, MetricsServerOptions, TributaryMetricsOptions, MetricDefinition, MetricType } from './observability/index.js';
export type { LatencyHistogramSnapshot } from './runtime/latency-histogram.js';
