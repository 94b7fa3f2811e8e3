/**
 * The Kafka seam conformance suite over mutual TLS: the broker's SSL listener requires a client
 * certificate signed by the test CA (`ssl.client.auth=required`); the principal is its subject.
 */
import { createKafkaClient } from '../../lib/kafka/index.js';
import { secureConnection } from '../helpers/kafka-env.js';
import { describeKafkaConformance } from './kafka.conformance.js';

describeKafkaConformance('kafkajs over mutual TLS', () => {
  const { bootstrap, security } = secureConnection('SSL');
  return createKafkaClient({ client: 'kafkajs', bootstrapServers: bootstrap, clientId: 'tributary-conformance-mtls', security });
});
