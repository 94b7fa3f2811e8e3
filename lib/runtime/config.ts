/**
 * Runtime configuration, with Kafka Streams' defaults: `commitIntervalMs` is 100 ms under
 * exactly-once and 30 s under at-least-once. `normalizeConfig` validates and fills defaults once;
 * the rest of the runtime reads only the normalized form.
 */
import { ConfigError } from '../errors.js';
import type { Serde } from '../serde/types.js';
import type { TimestampExtractor } from '../topology/types.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { DeserializationExceptionHandler, ProcessingExceptionHandler } from './error-handlers.js';
import { ErrorHandlers } from './error-handlers.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once';

export interface StreamsConfig {
  /** Names the consumer group, transactional ids, internal topics and the state directory. */
  readonly applicationId: string;
  /** Default `'at_least_once'`. */
  readonly processingGuarantee?: ProcessingGuarantee;
  /** Default 100 under exactly-once, 30000 under at-least-once. */
  readonly commitIntervalMs?: number;
  /** Default `<os tmpdir>/tributary`. Task state lives in `<stateDir>/<applicationId>/<taskId>`. */
  readonly stateDir?: string;
  /** Serdes for sources and sinks that name none. */
  readonly defaultKeySerde?: Serde<unknown>;
  readonly defaultValueSerde?: Serde<unknown>;
  /** Default: the record's Kafka timestamp. */
  readonly defaultTimestampExtractor?: TimestampExtractor;
  /** Where the group starts without committed offsets. Default `'earliest'`. */
  readonly autoOffsetReset?: 'earliest' | 'latest';
  /** Default `<applicationId>-dlq`. */
  readonly deadLetterTopic?: string;
  /** Partitions of the dead-letter topic when the runtime creates it. Default 1. */
  readonly deadLetterTopicPartitions?: number;
  /** Default: dead-letter. */
  readonly deserializationExceptionHandler?: DeserializationExceptionHandler;
  /** Default: fail. */
  readonly processingExceptionHandler?: ProcessingExceptionHandler;
  /** Replication factor of internal topics the runtime creates. Default: the broker's default. */
  readonly replicationFactor?: number;
  /** Max wait of one poll. Default 100 ms. */
  readonly pollMs?: number;
  /**
   * Output records a task buffers before they are sent at the end of a loop iteration (between
   * commits; inside the open transaction under exactly-once). Default 1: send every iteration, as a
   * producer with a small linger would, so downstream sub-topologies never wait for a commit.
   */
  readonly sendThresholdRecords?: number;
  /** Wall clock (injectable for tests). */
  readonly clock?: Clock;
  readonly clientId?: string;
}

export interface NormalizedConfig {
  readonly applicationId: string;
  readonly processingGuarantee: ProcessingGuarantee;
  readonly exactlyOnce: boolean;
  readonly commitIntervalMs: number;
  readonly stateDir: string;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly defaultTimestampExtractor: TimestampExtractor | undefined;
  readonly autoOffsetReset: 'earliest' | 'latest';
  readonly deadLetterTopic: string;
  readonly deadLetterTopicPartitions: number;
  readonly deserializationExceptionHandler: DeserializationExceptionHandler;
  readonly processingExceptionHandler: ProcessingExceptionHandler;
  readonly replicationFactor: number | undefined;
  readonly pollMs: number;
  readonly sendThresholdRecords: number;
  readonly clock: Clock;
  readonly clientId: string;
}

export function normalizeConfig(config: StreamsConfig): NormalizedConfig {
  const applicationId = config.applicationId;
  if (!applicationId || !/^[A-Za-z0-9._-]+$/.test(applicationId)) {
    throw new ConfigError(`applicationId must be non-empty and use only [A-Za-z0-9._-], got '${applicationId}'`);
  }
  const guarantee = config.processingGuarantee ?? 'at_least_once';
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once') {
    throw new ConfigError(`processingGuarantee must be 'at_least_once' or 'exactly_once', got '${String(guarantee)}'`);
  }
  const exactlyOnce = guarantee === 'exactly_once';
  const commitIntervalMs = config.commitIntervalMs ?? (exactlyOnce ? 100 : 30_000);
  if (!(commitIntervalMs >= 0)) throw new ConfigError(`commitIntervalMs must be >= 0, got ${commitIntervalMs}`);
  return {
    applicationId,
    processingGuarantee: guarantee,
    exactlyOnce,
    commitIntervalMs,
    stateDir: config.stateDir ?? join(tmpdir(), 'tributary'),
    defaultKeySerde: config.defaultKeySerde,
    defaultValueSerde: config.defaultValueSerde,
    defaultTimestampExtractor: config.defaultTimestampExtractor,
    autoOffsetReset: config.autoOffsetReset ?? 'earliest',
    deadLetterTopic: config.deadLetterTopic ?? `${applicationId}-dlq`,
    deadLetterTopicPartitions: config.deadLetterTopicPartitions ?? 1,
    deserializationExceptionHandler: config.deserializationExceptionHandler ?? ErrorHandlers.deadLetter,
    processingExceptionHandler: config.processingExceptionHandler ?? ErrorHandlers.fail,
    replicationFactor: config.replicationFactor,
    pollMs: config.pollMs ?? 100,
    sendThresholdRecords: config.sendThresholdRecords ?? 1,
    clock: config.clock ?? systemClock,
    clientId: config.clientId ?? applicationId,
  };
}
