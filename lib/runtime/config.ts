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
import { DEFAULT_MAX_FUTURE_SKEW_MS } from './timestamps.js';
import type { DeserializationExceptionHandler, ProcessingExceptionHandler, ProductionExceptionHandler } from './error-handlers.js';
import { ErrorHandlers } from './error-handlers.js';
import { APPLICATION_ID_MAX_LENGTH, APPLICATION_ID_USE, checkName } from '../util/names.js';
import { defaultStateDir } from '../util/state-dir.js';

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once';

export interface StreamsConfig {
  /** Names the consumer group, transactional ids, internal topics and the state directory. */
  readonly applicationId: string;
  /** Default `'at_least_once'`. */
  readonly processingGuarantee?: ProcessingGuarantee;
  /** Default 100 under exactly-once, 30000 under at-least-once. */
  readonly commitIntervalMs?: number;
  /** Default `$XDG_STATE_HOME/tributary`, else `~/.local/state/tributary` (durable: not the OS temp dir). Task state lives in `<stateDir>/<applicationId>/<taskId>`. */
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
  /** Records too large for their topic (see `ProductionExceptionHandler`). Default: dead-letter (truncated copy). */
  readonly productionExceptionHandler?: ProductionExceptionHandler;
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
  /**
   * How far ahead of the wall clock an input record's timestamp may be (ms). A record further in
   * the future goes to the deserialization handler (default: the dead-letter topic) as an
   * `InvalidTimestampError` instead of moving stream time so far that every later record is late.
   * Default 86400000 (one day); 0 or Infinity disables the check (timestamps up to 8.64e15 pass).
   * The TopologyTestDriver disables it unless given (its wall clock starts at 0).
   */
  readonly maxFutureSkewMs?: number;
  /** Wall clock (injectable for tests). */
  readonly clock?: Clock;
  readonly clientId?: string;
  /** Group session timeout: how long a dead member keeps its tasks. Default: the client's (kafkajs 30000). */
  readonly sessionTimeoutMs?: number;
  /** Default: the client's (kafkajs 3000); keep it below a third of `sessionTimeoutMs`. */
  readonly heartbeatIntervalMs?: number;
  /** Transaction timeout of the task producers under exactly-once. Default 60000. */
  readonly transactionTimeoutMs?: number;
  /**
   * Record-cache budget of one task in bytes, shared evenly by its stores that have caching
   * enabled (Materialized.withCachingEnabled / the DSL default). 0 forwards every update at once.
   * Default: each store keeps its own budget.
   */
  readonly cacheMaxBytes?: number;
  /**
   * Run the optimisation pass's fused processors (a windowed aggregation with its final-results
   * suppression, chains of record-by-record operators) in place of the logical nodes they replace;
   * results are the same either way, only faster. `describe()` lists them under `Tributary plan:`.
   * Default true; false runs every logical node as written (to compare, or to rule the pass out).
   */
  readonly optimize?: boolean;
  /**
   * How long the runtime keeps recovering from retriable failures (broker unreachable, a commit
   * whose outcome is unknown) before it gives up and fails. Default 300000 (Kafka Streams'
   * task.timeout.ms).
   */
  readonly recoveryTimeoutMs?: number;
  /** First and largest backoff between recovery attempts. Default 100 and 10000 ms. */
  readonly retryBackoffMs?: number;
  readonly retryBackoffMaxMs?: number;
  /** Where the runtime reports what it does (rebalances, fencing, recovery). Default: nowhere. */
  readonly logger?: RuntimeLogger;
}

export type RuntimeLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type RuntimeLogger = (level: RuntimeLogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => void;

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
  readonly productionExceptionHandler: ProductionExceptionHandler;
  readonly replicationFactor: number | undefined;
  readonly pollMs: number;
  readonly sendThresholdRecords: number;
  /** Infinity when disabled. */
  readonly maxFutureSkewMs: number;
  readonly clock: Clock;
  readonly clientId: string;
  readonly sessionTimeoutMs: number | undefined;
  readonly heartbeatIntervalMs: number | undefined;
  readonly transactionTimeoutMs: number;
  readonly cacheMaxBytes: number | undefined;
  readonly optimize: boolean;
  readonly recoveryTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly logger: RuntimeLogger;
}

const silent: RuntimeLogger = () => undefined;

function nonNegative(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new ConfigError(`${name} must be a number >= 0, got ${String(value)}`);
}

export function normalizeConfig(config: StreamsConfig): NormalizedConfig {
  const applicationId = config.applicationId;
  checkName('applicationId', applicationId, { maxLength: APPLICATION_ID_MAX_LENGTH, usedFor: APPLICATION_ID_USE });
  if (config.deadLetterTopic !== undefined) checkName('deadLetterTopic', config.deadLetterTopic, { usedFor: 'is a topic name' });
  const guarantee = config.processingGuarantee ?? 'at_least_once';
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once') {
    throw new ConfigError(`processingGuarantee must be 'at_least_once' or 'exactly_once', got '${String(guarantee)}'`);
  }
  const exactlyOnce = guarantee === 'exactly_once';
  const commitIntervalMs = config.commitIntervalMs ?? (exactlyOnce ? 100 : 30_000);
  if (!(commitIntervalMs >= 0)) throw new ConfigError(`commitIntervalMs must be >= 0, got ${commitIntervalMs}`);
  nonNegative('cacheMaxBytes', config.cacheMaxBytes);
  if (config.optimize !== undefined && typeof config.optimize !== 'boolean') {
    throw new ConfigError(`optimize must be true or false (false runs every logical node as written), got ${String(config.optimize)}`);
  }
  const skew = config.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
  if (!(skew >= 0)) throw new ConfigError(`maxFutureSkewMs must be a number of ms >= 0 (0 or Infinity disables the check), got ${String(config.maxFutureSkewMs)}`);
  nonNegative('recoveryTimeoutMs', config.recoveryTimeoutMs);
  nonNegative('retryBackoffMs', config.retryBackoffMs);
  nonNegative('retryBackoffMaxMs', config.retryBackoffMaxMs);
  return {
    applicationId,
    processingGuarantee: guarantee,
    exactlyOnce,
    commitIntervalMs,
    stateDir: config.stateDir ?? defaultStateDir(),
    defaultKeySerde: config.defaultKeySerde,
    defaultValueSerde: config.defaultValueSerde,
    defaultTimestampExtractor: config.defaultTimestampExtractor,
    autoOffsetReset: config.autoOffsetReset ?? 'earliest',
    deadLetterTopic: config.deadLetterTopic ?? `${applicationId}-dlq`,
    deadLetterTopicPartitions: config.deadLetterTopicPartitions ?? 1,
    deserializationExceptionHandler: config.deserializationExceptionHandler ?? ErrorHandlers.deadLetter,
    processingExceptionHandler: config.processingExceptionHandler ?? ErrorHandlers.fail,
    productionExceptionHandler: config.productionExceptionHandler ?? ErrorHandlers.deadLetter,
    replicationFactor: config.replicationFactor,
    pollMs: config.pollMs ?? 100,
    sendThresholdRecords: config.sendThresholdRecords ?? 1,
    maxFutureSkewMs: skew === 0 ? Number.POSITIVE_INFINITY : skew,
    clock: config.clock ?? systemClock,
    clientId: config.clientId ?? applicationId,
    sessionTimeoutMs: config.sessionTimeoutMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    transactionTimeoutMs: config.transactionTimeoutMs ?? 60_000,
    cacheMaxBytes: config.cacheMaxBytes,
    optimize: config.optimize ?? true,
    recoveryTimeoutMs: config.recoveryTimeoutMs ?? 300_000,
    retryBackoffMs: config.retryBackoffMs ?? 100,
    retryBackoffMaxMs: config.retryBackoffMaxMs ?? 10_000,
    logger: config.logger ?? silent,
  };
}
