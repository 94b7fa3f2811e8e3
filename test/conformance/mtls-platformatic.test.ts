/**
 * The Kafka seam conformance suite through the @platformatic/kafka adapter over mutual TLS: the
 * same tests as mtls.test.ts. Skipped, saying why, on a Node older than 22.22.
 */
import { describe, it } from 'vitest';
import { createKafkaClient, platformaticSupported } from '../../lib/kafka/index.js';
import { secureConnection } from '../helpers/kafka-env.js';
import { describeKafkaConformance } from './kafka.conformance.js';

if (platformaticSupported()) {
  describeKafkaConformance('platformatic over mutual TLS', () => {
    const { bootstrap, security } = secureConnection('SSL');
    return createKafkaClient({ client: 'platformatic', bootstrapServers: bootstrap, clientId: 'tributary-conformance-mtls', security });
  });
} else {
  describe('Kafka seam conformance: platformatic over mutual TLS', () => {
    it.skip(`skipped: @platformatic/kafka needs Node >= 22.22 or >= 24.6, this is Node ${process.versions.node}`, () => undefined);
  });
}
