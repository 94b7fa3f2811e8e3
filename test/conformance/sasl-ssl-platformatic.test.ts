/**
 * The Kafka seam conformance suite through the @platformatic/kafka adapter over SASL_SSL
 * (SCRAM-SHA-512, CA-verified TLS): the same tests as sasl-ssl.test.ts. Skipped, saying why, on a
 * Node older than 22.22. (Mutual TLS: mtls-platformatic.test.ts, a file of its own so that the two
 * run side by side.)
 */
import { describe, it } from 'vitest';
import { createKafkaClient, platformaticSupported } from '../../lib/kafka/index.js';
import { secureConnection } from '../helpers/kafka-env.js';
import { describeKafkaConformance } from './kafka.conformance.js';

if (platformaticSupported()) {
  describeKafkaConformance('platformatic over SASL_SSL (SCRAM-SHA-512)', () => {
    const { bootstrap, security } = secureConnection('SASL_SSL');
    return createKafkaClient({ client: 'platformatic', bootstrapServers: bootstrap, clientId: 'tributary-conformance-sasl-ssl', security });
  });
} else {
  describe('Kafka seam conformance: platformatic over SASL_SSL', () => {
    it.skip(`skipped: @platformatic/kafka needs Node >= 22.22 or >= 24.6, this is Node ${process.versions.node}`, () => undefined);
  });
}
