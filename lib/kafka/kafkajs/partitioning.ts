/**
 * The partitioner handed to kafkajs producers, backed by the shared Java-compatible partitioner
 * (`../partitioner.ts`) so that this adapter and the embedded broker route identically. Records with
 * an explicit partition keep it; keyed records go to `toPositive(murmur2(key)) % numPartitions`;
 * null keys go round-robin per topic.
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
    return partitioner.partition(topic, bytes, partitionMetadata.length);
  };
};
