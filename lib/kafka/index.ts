/**
 * The Kafka seam: interfaces (`types.ts`) and the implementations behind them. `createKafkaClient`
 * connects to a real cluster through kafkajs (default) or @platformatic/kafka.
 */
export * from './types.js';
export * from './columns.js';
export { KafkajsClient, type KafkajsClientOptions, type KafkaLogEntry, type KafkaLogLevel, type KafkaLogSink } from './kafkajs/index.js';
export { createKafkaClient } from './create.js';
export {
  KAFKA_CLIENT_ENV,
  KAFKA_CLIENT_KINDS,
  defaultKafkaClient,
  kafkaClientFromEnv,
  loadKafkaClient,
  type CreateKafkaClientOptions,
  type KafkaClientKind,
} from './client-choice.js';
export { PlatformaticClient, platformaticSupported, type PlatformaticClientOptions, type PlatformaticConsumerTuning } from './platformatic/index.js';
export { EmbeddedKafka, type EmbeddedKafkaOptions } from './embedded/index.js';
export {
  describeSecurity,
  validateSecurity,
  type KafkaSecurity,
  type OAuthBearerToken,
  type OAuthBearerTokenProvider,
  type SaslConfig,
  type SaslMechanism,
  type SecurityProtocol,
  type TlsConfig,
} from './security.js';
