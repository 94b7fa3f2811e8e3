/**
 * The Kafka seam conformance suite against a real Apache Kafka broker through the kafkajs adapter.
 * The broker comes from test/global-setup.ts (or `KAFKA_BOOTSTRAP_SERVERS`).
 */
import { createKafkaClient } from '../../lib/kafka/index.js';
import { realBootstrapServers } from '../helpers/kafka-env.js';
import { describeKafkaConformance } from './kafka.conformance.js';

describeKafkaConformance('kafkajs on a real broker', () =>
  createKafkaClient({ client: 'kafkajs', bootstrapServers: realBootstrapServers(), clientId: 'tributary-conformance' }),
);
