/**
 * The Kafka seam conformance suite against the embedded in-process broker: the same tests, under
 * the same names, as the kafkajs adapter against a real broker (real-broker.test.ts).
 */
import { EmbeddedKafka } from '../../lib/kafka/embedded/index.js';
import { describeKafkaConformance } from './kafka.conformance.js';

describeKafkaConformance('embedded broker', () => new EmbeddedKafka());
