export { KafkajsClient, createKafkaClient, type KafkajsClientOptions } from './client.js';
export type { KafkajsConsumerTuning } from './consumer.js';
export type { KafkaLogEntry, KafkaLogLevel, KafkaLogSink } from './logging.js';
