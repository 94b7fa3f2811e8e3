/**
 * The Kafka seam conformance suite against a real Apache Kafka broker through the @platformatic/kafka
 * adapter (`client: 'platformatic'`). Skipped, saying why, on a Node older than 22.22 (the client
 * needs it; CI runs the whole suite on Node 24).
 */
import { describe, it } from 'vitest';
import { createKafkaClient, platformaticSupported } from '../../lib/kafka/index.js';
import { realBootstrapServers } from '../helpers/kafka-env.js';
import { describeKafkaConformance } from './kafka.conformance.js';

if (platformaticSupported()) {
  describeKafkaConformance('platformatic on a real broker', () =>
    createKafkaClient({ client: 'platformatic', bootstrapServers: realBootstrapServers(), clientId: 'tributary-conformance' }),
  );
} else {
  describe('Kafka seam conformance: platformatic on a real broker', () => {
    it.skip(`skipped: @platformatic/kafka needs Node >= 22.22 or >= 24.6, this is Node ${process.versions.node}`, () => undefined);
  });
}
