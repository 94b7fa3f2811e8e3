/**
 * `tributary/testing`: run topologies in process with the real runtime on an embedded broker.
 */
export { TopologyTestDriver, type TopologyTestDriverConfig, type OutputTopicOptions } from './topology-test-driver.js';
export { EmbeddedKafka, type EmbeddedKafkaOptions } from '../kafka/embedded/index.js';
export { TestInputTopic, type InputTopicOptions } from './test-input-topic.js';
export { TestOutputTopic } from './test-output-topic.js';
export type { TestRecord, OutputRecord, KeyValuePair } from './test-record.js';
export { outOfOrderRecords, type OutOfOrderOptions } from './arbitraries.js';
export { eventStream, partitionedChunks, type ArrivingEvent, type EventStreamOptions } from './arbitraries.js';
export * from './reference/index.js';
export { checkTopologyAgainstModel, ModelMismatchError, type CheckEvent, type CheckOptions, type CheckResult } from './reference/check.js';
