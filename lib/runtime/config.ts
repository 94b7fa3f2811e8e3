/**
 * The one configuration of tributary: `TributaryConfig` is what users write, for `TributaryApp`,
 * the `TopologyTestDriver` and the runtime alike. `normalizeConfig` validates it against the one
 * schema (`config-schema.ts`, which holds every default) and returns the `NormalizedConfig` the
 * rest of the code reads. Invalid configuration fails at start with a `ConfigError` naming each
 * key and what to change. `docs/configuration.md` is generated from the schema and these comments
 * (`npm run docs:config`).
 */
import type { KafkaClient, RebalanceProtocol } from '../kafka/types.js';
import type { KafkaSecurity } from '../kafka/security.js';
import type { KafkaClientKind } from '../kafka/client-choice.js';
import type { Serde } from '../serde/types.js';
import type { TimestampExtractor } from '../topology/types.js';
import type { Clock } from './clock.js';
import type { DeserializationExceptionHandler, ProcessingExceptionHandler, ProductionExceptionHandler } from './error-handlers.js';
import { CONFIG_SCHEMA, PROPERTY_NAMES } from './config-schema.js';
import { toConfigError } from './config-errors.js';
import { ConfigError } from '../errors.js';

/**
 * Exactly-once (transactions, read_committed) or at-least-once (replays after a failure).
 * `exactly_once` (v1): one transactional producer per task. `exactly_once_v2` (KIP-447): one per
 * runner, all tasks in one transaction per commit, offsets fenced by the group generation; needs
 * `kafkaClient: 'platformatic'` (or the embedded broker) — kafkajs cannot send the group metadata.
 */
export type ProcessingGuarantee = 'at_least_once' | 'exactly_once' | 'exactly_once_v2';

/**
 * A built-in response by name: `'dead-letter'` writes the record to the dead-letter topic and
 * goes on, `'continue'` drops it, `'fail'` stops the thread, `'log-and-continue'` logs and drops.
 */
export type HandlerName = 'dead-letter' | 'continue' | 'fail' | 'log-and-continue';

/** What to do when the stream thread dies of an error no handler absorbed. */
export type UncaughtExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT' | 'SHUTDOWN_APPLICATION';

/** Decides, for an error no record handler absorbed, whether to replace the thread or shut down. */
export type UncaughtExceptionHandler = (error: unknown) => UncaughtExceptionResponse;

/** Severity of a runtime log line. */
export type RuntimeLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Receives what the runtime does (rebalances, fencing, recovery, warnings) as a message and structured fields. */
export type RuntimeLogger = (level: RuntimeLogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => void;

/**
 * Configuration of a tributary application, validated (zod) when the app, the runtime or the test
 * driver is constructed. Keys are camelCase; `configFromProperties` maps Kafka Streams' dotted
 * property names. Defaults live in one place, the schema; the table in `docs/configuration.md`
 * lists each key with its type and default.
 */
export interface TributaryConfig {
  /** Names the consumer group, transactional ids, internal topics and the state directory: 1-200 of `[A-Za-z0-9._-]`, not `.` or `..`. */
  readonly applicationId: string;
  /** `host:port[,host:port]` of the cluster; the app creates its Kafka clients (library: `kafkaClient`). Give this or `client` (the app needs one). */
  readonly bootstrapServers?: string | readonly string[];
  /** A ready Kafka client (another adapter, the embedded broker) instead of `bootstrapServers`. */
  readonly client?: KafkaClient;
  /**
   * TLS and SASL of every client the app creates (consumers, per-task producers, admin, restore
   * consumers); with `bootstrapServers` only. See `parseClientProperties` for a Java-style
   * `client.properties` file, and docs/operations.md "Connecting to a secured cluster".
   */
  readonly security?: KafkaSecurity;
  /**
   * The client library of the Kafka clients the app creates from `bootstrapServers`:
   * `'platformatic'` (@platformatic/kafka; the default on Node >= 22.22 / >= 24.6, every version
   * `engines` allows) or `'kafkajs'` (the default on older Node). See docs/operations.md "Kafka
   * clients". Not with `client`.
   */
  readonly kafkaClient?: KafkaClientKind;
  /** Client id prefix of the Kafka clients the app creates. */
  readonly clientId?: string;
  /**
   * Exactly-once commits output, state changes and input offsets in Kafka transactions:
   * `'exactly_once'` (v1) one transaction per task, `'exactly_once_v2'` one per runner for all its
   * tasks, with the offsets fenced by the consumer group's generation (KIP-447; Kafka Streams'
   * `processing.guarantee=exactly_once_v2`; needs `kafkaClient: 'platformatic'`, brokers >= 2.5).
   * At-least-once may replay after a failure.
   */
  readonly processingGuarantee?: ProcessingGuarantee;
  /**
   * Static membership (`group.instance.id`): a stable id of this runner, e.g. the pod name. A runner
   * restarted within `sessionTimeoutMs` gets its partitions back without a rebalance. With
   * `--processes N` each child uses `<groupInstanceId>-<index>`. Needs `kafkaClient: 'platformatic'`.
   */
  readonly groupInstanceId?: string;
  /** How often tasks commit (ms). Under exactly-once this bounds how long output stays invisible to read_committed consumers. */
  readonly commitIntervalMs?: number;
  /** Base directory of local state; task state lives in `<stateDir>/<applicationId>/<taskId>`. Durable: not the OS temp dir. */
  readonly stateDir?: string;
  /**
   * Record-cache budget of one task in bytes, shared evenly by its stores with caching enabled
   * (`Materialized.withCachingEnabled`, the DSL default). 0 forwards every update at once; unset,
   * each store keeps its own budget.
   */
  readonly cacheMaxBytes?: number;
  /**
   * Run the optimisation pass's fused processors (a windowed aggregation with its final-results
   * suppression, chains of record-by-record operators) in place of the logical nodes they replace;
   * results are the same either way, only faster. `describe()` lists them under `Tributary plan:`.
   * false runs every logical node as written (to compare, or to rule the pass out).
   */
  readonly optimize?: boolean;
  /** Max wait of one poll (ms). */
  readonly pollMs?: number;
  /**
   * Output records a task buffers before they are sent at the end of a loop iteration (between
   * commits; inside the open transaction under exactly-once). 1 sends every iteration, as a producer
   * with a small linger would, so downstream sub-topologies never wait for a commit.
   */
  readonly sendThresholdRecords?: number;
  /** Where the group starts reading a partition without a committed offset. */
  readonly autoOffsetReset?: 'earliest' | 'latest';
  /** Replication factor of the internal topics the runtime creates; unset, the broker's default. */
  readonly replicationFactor?: number;
  /** Key serde of sources and sinks that name none. */
  readonly defaultKeySerde?: Serde<unknown>;
  /** Value serde of sources and sinks that name none. */
  readonly defaultValueSerde?: Serde<unknown>;
  /** Event time of input records that name no extractor; unset, the record's Kafka timestamp. */
  readonly defaultTimestampExtractor?: TimestampExtractor;
  /**
   * How far ahead of the wall clock an input record's timestamp may be (ms). A record further in
   * the future goes to the deserialization handler (by default the dead-letter topic) as an
   * `InvalidTimestampError` instead of moving stream time so far that every later record is late.
   * 0 or Infinity disables the check. The TopologyTestDriver disables it unless given (its wall
   * clock starts at 0).
   */
  readonly maxFutureSkewMs?: number;
  /** Topic that receives dead-lettered records with `tributary.error.*` headers; unset, `<applicationId>-dlq`. */
  readonly deadLetterTopic?: string;
  /** Partitions of the dead-letter topic when the runtime creates it. */
  readonly deadLetterTopicPartitions?: number;
  /** Records whose key, value or timestamp cannot be read: a handler or a `HandlerName`. */
  readonly deserializationExceptionHandler?: DeserializationExceptionHandler | HandlerName;
  /** Errors thrown by a processor: `'fail'` hands them to the uncaught-exception handler (a poison record is dead-lettered after `poisonRecordAttempts`). */
  readonly processingExceptionHandler?: ProcessingExceptionHandler | HandlerName;
  /** Records too large for their topic's `max.message.bytes`; `'dead-letter'` writes a truncated copy. */
  readonly productionExceptionHandler?: ProductionExceptionHandler | HandlerName;
  /** What the app does when its stream thread dies of an unabsorbed error: replace the thread, shut this client down, or the whole application. */
  readonly uncaughtExceptionHandler?: UncaughtExceptionHandler | UncaughtExceptionResponse;
  /** Failures of one record (same topic, partition, offset) before a replaced thread dead-letters it instead of failing again. */
  readonly poisonRecordAttempts?: number;
  /**
   * Standby replicas per stateful task (Kafka Streams' `num.standby.replicas`, default 0): with 1 or
   * more, a runner keeps warm copies of the stateful tasks it does not own by tailing their
   * changelogs, so a task that fails over to it restores only the tail. See docs/operations.md.
   */
  readonly numStandbyReplicas?: number;
  /** Group session timeout (ms): how long a dead member keeps its tasks; unset, 30000. Brokers refuse less than 6000 by default. */
  readonly sessionTimeoutMs?: number;
  /** Group heartbeat interval (ms); at most a third of `sessionTimeoutMs`; unset, 3000 (at most a third of the session timeout). */
  readonly heartbeatIntervalMs?: number;
  /**
   * The consumer group's rebalance protocol: `'cooperative'` (KIP-429; only moving tasks stop,
   * the others keep processing) or `'eager'`. Unset: cooperative with `kafkaClient: 'platformatic'`,
   * eager with kafkajs and the embedded broker (eager only: `'cooperative'` with them fails at start).
   */
  readonly rebalanceProtocol?: RebalanceProtocol;
  /** Transaction timeout of the task producers under exactly-once (ms). */
  readonly transactionTimeoutMs?: number;
  /** How long the runtime keeps recovering from retriable failures (broker unreachable, a commit whose outcome is unknown) before it fails (ms; Kafka Streams' `task.timeout.ms`). */
  readonly recoveryTimeoutMs?: number;
  /** First backoff between recovery attempts (ms); it doubles up to `retryBackoffMaxMs`. */
  readonly retryBackoffMs?: number;
  /** Largest backoff between recovery attempts (ms); at least `retryBackoffMs`. */
  readonly retryBackoffMaxMs?: number;
  /** Install SIGINT/SIGTERM handlers on `TributaryApp.start`: the first signal closes gracefully, a second forces exit. */
  readonly installSignalHandlers?: boolean;
  /** Where the runtime reports what it does (rebalances, fencing, recovery, warnings); unset, warnings and errors go to stderr. */
  readonly logger?: RuntimeLogger;
}

/** The runtime's input: the public configuration plus an injectable wall clock (the test driver's manual clock). */
export interface StreamsConfig extends TributaryConfig {
  /** Wall clock; internal, for the test driver. */
  readonly clock?: Clock;
}

/** `TributaryConfig` validated, with every default filled in and handler names resolved. */
export interface NormalizedConfig {
  readonly applicationId: string;
  readonly bootstrapServers: string | readonly string[] | undefined;
  readonly client: KafkaClient | undefined;
  readonly security: KafkaSecurity | undefined;
  readonly kafkaClient: KafkaClientKind;
  readonly clientId: string;
  readonly processingGuarantee: ProcessingGuarantee;
  /** True under both exactly-once versions. */
  readonly exactlyOnce: boolean;
  /** exactly_once_v2: one transactional producer per runner thread. */
  readonly eosV2: boolean;
  readonly groupInstanceId: string | undefined;
  readonly commitIntervalMs: number;
  readonly stateDir: string;
  readonly cacheMaxBytes: number | undefined;
  readonly optimize: boolean;
  readonly pollMs: number;
  readonly sendThresholdRecords: number;
  readonly autoOffsetReset: 'earliest' | 'latest';
  readonly replicationFactor: number | undefined;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly defaultTimestampExtractor: TimestampExtractor | undefined;
  /** Infinity when disabled. */
  readonly maxFutureSkewMs: number;
  readonly deadLetterTopic: string;
  readonly deadLetterTopicPartitions: number;
  readonly deserializationExceptionHandler: DeserializationExceptionHandler;
  readonly processingExceptionHandler: ProcessingExceptionHandler;
  readonly productionExceptionHandler: ProductionExceptionHandler;
  readonly uncaughtExceptionHandler: UncaughtExceptionHandler;
  readonly poisonRecordAttempts: number;
  readonly numStandbyReplicas: number;
  readonly sessionTimeoutMs: number | undefined;
  readonly heartbeatIntervalMs: number | undefined;
  /** Undefined: the client's default (see `TributaryConfig.rebalanceProtocol`). */
  readonly rebalanceProtocol: RebalanceProtocol | undefined;
  readonly transactionTimeoutMs: number;
  readonly recoveryTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly installSignalHandlers: boolean;
  readonly logger: RuntimeLogger;
  readonly clock: Clock;
}

/** Validates `config` and fills every default; throws a `ConfigError` listing each invalid key and what to change. */
export function normalizeConfig(config: StreamsConfig): NormalizedConfig {
  const parsed = CONFIG_SCHEMA.safeParse(config);
  if (!parsed.success) throw toConfigError(parsed.error);
  return parsed.data;
}

/**
 * Maps Kafka Streams property names (`application.id`, `commit.interval.ms`, ... for `.properties`
 * files) to a partial config: numbers are parsed, `exactly_once_v2` means exactly-once. Unknown
 * properties fail with the list of known ones; values are checked when the config is used.
 */
export function configFromProperties(props: Readonly<Record<string, string>>): Partial<TributaryConfig> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(props)) {
    const spec = PROPERTY_NAMES.get(name);
    if (spec === undefined) throw new ConfigError(`${name}: unknown property; known: ${[...PROPERTY_NAMES.keys()].join(', ')}`, { context: { key: name } });
    const value = raw.trim();
    if (spec.kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n) || value === '') throw new ConfigError(`${name}: must be a number, got '${raw}'`, { context: { key: name } });
      out[spec.key] = n;
    } else if (spec.kind === 'guarantee') {
      out[spec.key] = value === 'exactly_once_beta' ? 'exactly_once_v2' : value;
    } else {
      out[spec.key] = value;
    }
  }
  return out as Partial<TributaryConfig>;
}
