/**
 * The partitioner handed to kafkajs producers, backed by the shared Java-compatible partitioner
 * (`../partitioner.ts`) so that this adapter and the embedded broker route identically. Records with
 * an explicit partition keep it; keyed records go to `toPositive(murmur2(key)) % numPartitions`;
 * null keys go round-robin per topic. The choice is written onto the message, so that it sticks across
 * kafkajs' retries and the producer can tell which partitions a send went to.
 */
import './aborted-filter.js';
import type { ICustomPartitioner } from 'kafkajs';
import { DefaultPartitioner } from '../partitioner.js';

export const createPartitioner: ICustomPartitioner = () => {
  const partitioner = new DefaultPartitioner();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    const key = message.key;
    const bytes = key === null || key === undefined ? null : typeof key === 'string' ? Buffer.from(key) : key;
    // Written onto the message: kafkajs partitions again on every retry of a send, and a null-key
    // record must not move to another partition between attempts; the producer also reads it
    // back to check that every partition of the send was acknowledged (see producer.ts).
    return (message.partition = partitioner.partition(topic, bytes, partitionMetadata.length));
  };
};
