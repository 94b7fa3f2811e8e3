/**
 * The Kafka seam conformance suite over SASL_SSL (SCRAM-SHA-512, CA-verified TLS with hostname
 * verification): the same tests as real-broker.test.ts, against the test broker's SASL_SSL listener.
 */
import { createKafkaClient } from '../../lib/kafka/index.js';
import { secureConnection } from '../helpers/kafka-env.js';
import { describeKafkaConformance } from './kafka.conformance.js';

describeKafkaConformance('kafkajs over SASL_SSL (SCRAM-SHA-512)', () => {
  const { bootstrap, security } = secureConnection('SASL_SSL');
  return createKafkaClient({ client: 'kafkajs', bootstrapServers: bootstrap, clientId: 'tributary-conformance-sasl-ssl', security });
});
