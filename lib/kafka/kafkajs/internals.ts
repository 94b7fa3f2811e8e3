/**
 * The few kafkajs internals the adapter builds on where the public API has no equivalent:
 *
 * - a cluster (connection pool + metadata) at a chosen isolation level, made by the `Kafka`
 *   instance's own private factory so that it shares brokers, SSL/SASL, retry and logger settings.
 *   Used for group-less fetching (`Consumer.assign`) and for ListOffsets at read_uncommitted (the
 *   high watermark; kafkajs' admin only lists at read_committed).
 * - kafkajs' `Batch`, which removes aborted transactional records and control records from a fetch.
 *
 * kafkajs 2.2.x is the last release and these have not moved since 1.x; `kafkajsInternals` returns
 * undefined when they cannot be found, and callers fall back to public-API behaviour.
 */
import './aborted-filter.js';
import { createRequire } from 'node:module';
import type { Batch, Kafka } from 'kafkajs';

const require = createRequire(import.meta.url);

export const ISOLATION_READ_UNCOMMITTED = 0;
export const ISOLATION_READ_COMMITTED = 1;

/** A record as kafkajs decodes it from a v2 record batch (`batchContext` describes its batch). */
export interface RawMessage {
  readonly offset: string;
  readonly isControlRecord?: boolean;
  readonly batchContext?: { readonly firstOffset: string; readonly lastOffsetDelta: number };
}

export interface RawPartitionData {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: string;
  readonly lastStableOffset?: string;
  readonly abortedTransactions?: readonly unknown[];
  readonly messages: readonly RawMessage[];
}

export interface KjsBroker {
  fetch(request: {
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: RawPartitionData[] }[] }>;
}

export interface KjsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(query: { nodeId: string }): Promise<KjsBroker>;
  fetchTopicsOffset(
    topics: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

export type BatchConstructor = new (topic: string, fetchedOffset: string, partitionData: RawPartitionData) => Batch;

export interface KafkajsInternals {
  createCluster(isolationLevel: number): KjsCluster;
  readonly Batch: BatchConstructor;
}

type ClusterFactory = (options: { allowAutoTopicCreation: boolean; isolationLevel: number }) => KjsCluster;

let batchCtor: BatchConstructor | null | undefined;

function loadBatch(): BatchConstructor | null {
  if (batchCtor === undefined) {
    try {
      batchCtor = require('kafkajs/src/consumer/batch.js') as BatchConstructor;
      if (typeof batchCtor !== 'function') batchCtor = null;
    } catch {
      batchCtor = null;
    }
  }
  return batchCtor;
}

/** The internals of this `Kafka` instance, or undefined when this kafkajs build does not have them. */
export function kafkajsInternals(kafka: Kafka): KafkajsInternals | undefined {
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const factory = sym === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[sym];
  const Batch = loadBatch();
  if (typeof factory !== 'function' || Batch === null) return undefined;
  return {
    createCluster: (isolationLevel) => (factory as ClusterFactory)({ allowAutoTopicCreation: false, isolationLevel }),
    Batch,
  };
}
