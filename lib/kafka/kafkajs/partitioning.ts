/**
 * The partitioner handed to kafkajs producers. Records with an explicit partition keep it; keyed
 * records go to `toPositive(murmur2(key)) % numPartitions` exactly like the Java client (kafkajs'
 * `DefaultPartitioner` is that algorithm, seed 0x9747b28c); null keys go round-robin over the
 * partitions that have a leader.
 *
 * TODO(partitioner): switch to `partitionForKey` from `../partitioner.js` once it lands so that
 * this adapter and the embedded broker share one implementation.
 */
import { Partitioners, type ICustomPartitioner } from 'kafkajs';

export const createPartitioner: ICustomPartitioner = Partitioners.DefaultPartitioner;
