/**
 * What the kafkajs consumer facade (`consumer.ts`) delegates to once `subscribe` or `assign`
 * chose a mode: `GroupConsumer` (group member), `AssignedFetcher` (group-less manual assignment)
 * or `PrivateGroupConsumer` (manual assignment through a throwaway group).
 */
import type { Consumer } from '../types.js';

/** The `Consumer` calls that depend on the mode. */
export type ConsumerMode = Pick<Consumer, 'poll' | 'seek' | 'pause' | 'resume' | 'assignment' | 'position' | 'commitOffsets' | 'close'>;

/** Tuning of the kafkajs consumer underneath (not part of the seam). */
export interface KafkajsConsumerTuning {
  /** Longest time the broker holds an empty fetch. Default 500 ms. */
  readonly maxWaitTimeMs?: number;
  /** Partitions whose batches can wait in one poll round. Default 256. */
  readonly partitionsConsumedConcurrently?: number;
}

/** A map key for a topic-partition. */
export const partitionKey = (topic: string, partition: number): string => `${partition}\u0000${topic}`;
