export { EmbeddedKafka, type EmbeddedKafkaOptions } from './embedded-kafka.js';
export type { AssignorName } from './assignors.js';
