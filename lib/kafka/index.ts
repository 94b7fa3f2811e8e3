/**
 * The Kafka seam: interfaces (`types.ts`) and the implementations behind them. `createKafkaClient`
 * connects to a real cluster through kafkajs.
 */
export * from './types.js';
export * from './columns.js';
export { createKafkaClient, KafkajsClient, type KafkajsClientOptions, type KafkaLogEntry, type KafkaLogLevel, type KafkaLogSink } from './kafkajs/index.js';
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
