/**
 * Configuration of a `TributaryApp`, validated with zod when the app is constructed. Every error
 * is a `ConfigError` naming the key and what to change. Keys are camelCase; `configFromProperties`
 * maps Kafka Streams' dotted names (`application.id`, `commit.interval.ms`, ...) for property files.
 *
 * Defaults that differ from the bare runtime: `processingGuarantee` is `exactly_once` (the
 * runner's default), and the commit interval follows it (100 ms, or 30 s under at-least-once).
 */
import { APPLICATION_ID_MAX_LENGTH, APPLICATION_ID_USE, nameProblem } from '../util/names.js';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { createKafkaClient } from '../kafka/index.js';
import type { KafkaClient } from '../kafka/types.js';
import { validateSecurity, type KafkaSecurity } from '../kafka/security.js';
import type { StreamsConfig } from '../runtime/config.js';
import { ErrorHandlers, type DeserializationExceptionHandler, type ErrorResponse, type ProcessingExceptionHandler, type ProductionExceptionHandler } from '../runtime/error-handlers.js';
import type { RuntimeLogger } from '../runtime/config.js';
import type { Serde } from '../serde/types.js';
import type { TimestampExtractor } from '../topology/types.js';

/** What to do when the stream thread dies of an error no handler absorbed. */
export type UncaughtExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT' | 'SHUTDOWN_APPLICATION';
export type UncaughtExceptionHandler = (error: unknown) => UncaughtExceptionResponse;

type HandlerName = 'dead-letter' | 'continue' | 'fail' | 'log-and-continue';

export interface TributaryAppConfig {
  /** Names the consumer group, transactional ids, internal topics and the state directory. `[A-Za-z0-9._-]+`. */
  readonly applicationId: string;
  /** `host:port[,host:port]` of the cluster (kafkajs). Give this or `client`. */
  readonly bootstrapServers?: string | readonly string[];
  /** A ready `KafkaClient` (another adapter, the embedded broker). Give this or `bootstrapServers`. */
  readonly client?: KafkaClient;
  /**
   * TLS and SASL of every client the app creates (consumers, per-task producers, admin, restore
   * consumers); with `bootstrapServers` only. Default PLAINTEXT. See `parseClientProperties` for a
   * Java-style `client.properties` file, and docs/operations.md "Connecting to a secured cluster".
   */
  readonly security?: KafkaSecurity;
  /** Default `'exactly_once'`. */
  readonly processingGuarantee?: 'exactly_once' | 'at_least_once';
  /** Default 100 under exactly-once, 30000 under at-least-once. */
  readonly commitIntervalMs?: number;
  /** Default `$XDG_STATE_HOME/tributary`, else `~/.local/state/tributary` (durable: not the OS temp dir). */
  readonly stateDir?: string;
  /** Record-cache budget per task in bytes, shared by its cached stores. */
  readonly cacheMaxBytes?: number;
  /**
   * Run the optimisation pass's fused processors (a windowed aggregation with its final-results
   * suppression, chains of record-by-record operators) in place of the logical nodes they replace;
   * results are the same either way, only faster. `describe()` lists them under `Tributary plan:`.
   * Default true; false runs every logical node as written (to compare, or to rule the pass out).
   */
  readonly optimize?: boolean;
  /** Default `<applicationId>-dlq`. */
  readonly deadLetterTopic?: string;
  readonly deadLetterTopicPartitions?: number;
  /** Default `'dead-letter'`. */
  readonly deserializationExceptionHandler?: DeserializationExceptionHandler | HandlerName;
  /** Default `'fail'` (then the uncaught-exception handler decides; a poison record is dead-lettered after `poisonRecordAttempts`). */
  readonly processingExceptionHandler?: ProcessingExceptionHandler | HandlerName;
  /** Records too large for their topic's max.message.bytes. Default: `'dead-letter'` (a truncated copy). */
  readonly productionExceptionHandler?: ProductionExceptionHandler | HandlerName;
  /** Default `'SHUTDOWN_CLIENT'`. */
  readonly uncaughtExceptionHandler?: UncaughtExceptionHandler | UncaughtExceptionResponse;
  /** Failures of one record (same topic, partition, offset) before a replaced thread dead-letters it instead of failing again. Default 2. */
  readonly poisonRecordAttempts?: number;
  readonly defaultKeySerde?: Serde<unknown>;
  readonly defaultValueSerde?: Serde<unknown>;
  readonly defaultTimestampExtractor?: TimestampExtractor;
  /** Default `'earliest'`. */
  readonly autoOffsetReset?: 'earliest' | 'latest';
  readonly replicationFactor?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly transactionTimeoutMs?: number;
  readonly pollMs?: number;
  /** How far ahead of the wall clock a record timestamp may be before it is dead-lettered. Default 86400000 (1 day); 0 or Infinity disables. */
  readonly maxFutureSkewMs?: number;
  readonly recoveryTimeoutMs?: number;
  readonly retryBackoffMs?: number;
  readonly retryBackoffMaxMs?: number;
  /** Install SIGINT/SIGTERM handlers on `start`: the first closes gracefully, a second forces exit. Default false. */
  readonly installSignalHandlers?: boolean;
  /** Default: warnings and errors to stderr. */
  readonly logger?: RuntimeLogger;
  readonly clientId?: string;
}

export interface ResolvedAppConfig {
  readonly client: KafkaClient;
  readonly streams: StreamsConfig;
  readonly uncaughtExceptionHandler: UncaughtExceptionHandler;
  readonly poisonRecordAttempts: number;
  readonly installSignalHandlers: boolean;
  readonly logger: RuntimeLogger;
}

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: `must be a function (${what})` });
const ms = z.number().int().nonnegative();
const handler = z.union([z.enum(['dead-letter', 'continue', 'fail', 'log-and-continue']), fn('context, error => response')]);
const serde = z.custom<Serde<unknown>>((v) => typeof v === 'object' && v !== null && 'serialize' in v && 'deserialize' in v, {
  message: 'must be a Serde (Serdes.string(), Serdes.json(), ...)',
});

const schema = z
  .strictObject({
    applicationId: z.string().superRefine((v, ctx) => {
      const problem = nameProblem(v, APPLICATION_ID_MAX_LENGTH);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not allowed: ${problem} (it ${APPLICATION_ID_USE}); use 1-${APPLICATION_ID_MAX_LENGTH} characters of letters, digits, '.', '_' and '-', e.g. "my-app"` });
    }),
    bootstrapServers: z.union([z.string().min(1, 'must not be empty'), z.array(z.string().min(1)).min(1, 'must list at least one host:port')]).optional(),
    client: z
      .custom<KafkaClient>((v) => typeof v === 'object' && v !== null && typeof (v as KafkaClient).consumer === 'function' && typeof (v as KafkaClient).producer === 'function', {
        message: 'must be a KafkaClient (createKafkaClient(...) or new EmbeddedKafka())',
      })
      .optional(),
    security: z
      .custom<KafkaSecurity>((v) => typeof v === 'object' && v !== null && typeof (v as KafkaSecurity).protocol === 'string', {
        message: "must be { protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL', sasl?, tls? }",
      })
      .optional(),
    processingGuarantee: z.enum(['exactly_once', 'at_least_once']).optional(),
    commitIntervalMs: ms.optional(),
    stateDir: z.string().min(1).optional(),
    cacheMaxBytes: z.number().int().nonnegative().optional(),
    optimize: z.boolean().optional(),
    deadLetterTopic: z.string().min(1).optional(),
    deadLetterTopicPartitions: z.number().int().positive().optional(),
    deserializationExceptionHandler: handler.optional(),
    processingExceptionHandler: handler.optional(),
    productionExceptionHandler: handler.optional(),
    uncaughtExceptionHandler: z.union([z.enum(['REPLACE_THREAD', 'SHUTDOWN_CLIENT', 'SHUTDOWN_APPLICATION']), fn('error => response')]).optional(),
    poisonRecordAttempts: z.number().int().positive().optional(),
    defaultKeySerde: serde.optional(),
    defaultValueSerde: serde.optional(),
    defaultTimestampExtractor: fn('record, partitionTime => timestamp').optional(),
    autoOffsetReset: z.enum(['earliest', 'latest']).optional(),
    replicationFactor: z.number().int().positive().optional(),
    sessionTimeoutMs: z.number().int().min(1000, 'must be >= 1000 (brokers reject less than group.min.session.timeout.ms, 6000 by default)').optional(),
    heartbeatIntervalMs: z.number().int().positive().optional(),
    transactionTimeoutMs: z.number().int().positive().optional(),
    pollMs: ms.optional(),
    maxFutureSkewMs: z.union([ms, z.literal(Number.POSITIVE_INFINITY)]).optional(),
    recoveryTimeoutMs: ms.optional(),
    retryBackoffMs: ms.optional(),
    retryBackoffMaxMs: ms.optional(),
    installSignalHandlers: z.boolean().optional(),
    logger: fn('level, message, fields => void').optional(),
    clientId: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.bootstrapServers === undefined) === (c.client === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.client === undefined ? 'bootstrapServers' : 'client'],
        message: c.client === undefined ? 'is required: set bootstrapServers (host:port) or client (a KafkaClient)' : 'give bootstrapServers or client, not both',
      });
    }
    if (c.security !== undefined && c.client !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['security'], message: 'applies to clients the app creates from bootstrapServers; give the security settings to the client you pass instead' });
    }
    if (c.sessionTimeoutMs !== undefined && c.heartbeatIntervalMs !== undefined && c.heartbeatIntervalMs * 3 > c.sessionTimeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['heartbeatIntervalMs'], message: `must be at most a third of sessionTimeoutMs (${c.sessionTimeoutMs})` });
    }
    if (c.retryBackoffMs !== undefined && c.retryBackoffMaxMs !== undefined && c.retryBackoffMaxMs < c.retryBackoffMs) {
      ctx.addIssue({ code: 'custom', path: ['retryBackoffMaxMs'], message: `must be >= retryBackoffMs (${c.retryBackoffMs})` });
    }
  });

const KNOWN_KEYS = Object.keys(schema.def.shape ?? {}) as string[];

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

function suggestion(key: string): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of KNOWN_KEYS) {
    const dist = distance(key, k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 4)) ? `; did you mean '${best}'?` : '';
}

/** The config key an issue is about: the unknown key itself for `unrecognized_keys` (whose path is its parent's). */
function issueKeys(issue: z.core.$ZodIssue): string[] {
  const parent = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => [...parent, k].join('.'));
  return [parent.join('.') || '(config)'];
}

function toConfigError(error: z.ZodError): ConfigError {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return issueKeys(issue).map((k) => `${k}: unknown configuration key${issue.path.length === 0 ? suggestion(k) : ''}`).join('\n');
    return `${issueKeys(issue)[0]}: ${issue.message}`;
  });
  const first = error.issues[0];
  return new ConfigError(`Invalid tributary configuration:\n${lines.join('\n')}`, { context: { key: first === undefined ? '' : issueKeys(first)[0]! } });
}

function namedHandler(h: HandlerName | ((...a: never[]) => unknown) | undefined): ((c: never, e: unknown) => ErrorResponse) | undefined {
  if (h === undefined) return undefined;
  if (typeof h === 'function') return h as (c: never, e: unknown) => ErrorResponse;
  if (h === 'log-and-continue') return ErrorHandlers.logAndContinue;
  return () => h;
}

const stderrLogger: RuntimeLogger = (level, message) => {
  if (level === 'warn' || level === 'error') process.stderr.write(`[tributary] ${level}: ${message}\n`);
};

/** Validates `input` and resolves it into the runtime's config, the client and the app's own options. */
export function resolveAppConfig(input: TributaryAppConfig): ResolvedAppConfig {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw toConfigError(parsed.error);
  const c = parsed.data;
  const logger = (c.logger as RuntimeLogger | undefined) ?? stderrLogger;
  if (c.security !== undefined) validateSecurity(c.security as KafkaSecurity);
  const client =
    c.client ??
    createKafkaClient({
      bootstrapServers: c.bootstrapServers as string | string[],
      ...(c.clientId !== undefined ? { clientId: c.clientId } : {}),
      ...(c.security !== undefined ? { security: c.security as KafkaSecurity } : {}),
    });
  const uncaught = c.uncaughtExceptionHandler;
  const deserialization = namedHandler(c.deserializationExceptionHandler);
  const processing = namedHandler(c.processingExceptionHandler);
  const production = namedHandler(c.productionExceptionHandler);
  const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [P in K]: V }));
  const streams: StreamsConfig = {
    applicationId: c.applicationId,
    processingGuarantee: c.processingGuarantee ?? 'exactly_once',
    logger,
    ...optional('commitIntervalMs', c.commitIntervalMs),
    ...optional('stateDir', c.stateDir),
    ...optional('cacheMaxBytes', c.cacheMaxBytes),
    ...optional('optimize', c.optimize),
    ...optional('deadLetterTopic', c.deadLetterTopic),
    ...optional('deadLetterTopicPartitions', c.deadLetterTopicPartitions),
    ...optional('deserializationExceptionHandler', deserialization as DeserializationExceptionHandler | undefined),
    ...optional('processingExceptionHandler', processing as ProcessingExceptionHandler | undefined),
    ...optional('productionExceptionHandler', production as ProductionExceptionHandler | undefined),
    ...optional('defaultKeySerde', c.defaultKeySerde),
    ...optional('defaultValueSerde', c.defaultValueSerde),
    ...optional('defaultTimestampExtractor', c.defaultTimestampExtractor as TimestampExtractor | undefined),
    ...optional('autoOffsetReset', c.autoOffsetReset),
    ...optional('replicationFactor', c.replicationFactor),
    ...optional('sessionTimeoutMs', c.sessionTimeoutMs),
    ...optional('heartbeatIntervalMs', c.heartbeatIntervalMs),
    ...optional('transactionTimeoutMs', c.transactionTimeoutMs),
    ...optional('pollMs', c.pollMs),
    ...optional('maxFutureSkewMs', c.maxFutureSkewMs),
    ...optional('recoveryTimeoutMs', c.recoveryTimeoutMs),
    ...optional('retryBackoffMs', c.retryBackoffMs),
    ...optional('retryBackoffMaxMs', c.retryBackoffMaxMs),
    ...optional('clientId', c.clientId),
  };
  return {
    client,
    streams,
    uncaughtExceptionHandler: typeof uncaught === 'function' ? (uncaught as UncaughtExceptionHandler) : () => uncaught ?? 'SHUTDOWN_CLIENT',
    poisonRecordAttempts: c.poisonRecordAttempts ?? 2,
    installSignalHandlers: c.installSignalHandlers ?? false,
    logger,
  };
}

/** Kafka Streams property names → config keys (numbers parsed), for `.properties` files and CLI flags. */
const PROPERTY_KEYS: Readonly<Record<string, { key: keyof TributaryAppConfig; number?: true }>> = {
  'application.id': { key: 'applicationId' },
  'bootstrap.servers': { key: 'bootstrapServers' },
  'processing.guarantee': { key: 'processingGuarantee' },
  'commit.interval.ms': { key: 'commitIntervalMs', number: true },
  'state.dir': { key: 'stateDir' },
  'statestore.cache.max.bytes': { key: 'cacheMaxBytes', number: true },
  'cache.max.bytes.buffering': { key: 'cacheMaxBytes', number: true },
  'dead.letter.topic': { key: 'deadLetterTopic' },
  'auto.offset.reset': { key: 'autoOffsetReset' },
  'replication.factor': { key: 'replicationFactor', number: true },
  'session.timeout.ms': { key: 'sessionTimeoutMs', number: true },
  'heartbeat.interval.ms': { key: 'heartbeatIntervalMs', number: true },
  'transaction.timeout.ms': { key: 'transactionTimeoutMs', number: true },
  'poll.ms': { key: 'pollMs', number: true },
  'max.future.skew.ms': { key: 'maxFutureSkewMs', number: true },
  'task.timeout.ms': { key: 'recoveryTimeoutMs', number: true },
  'retry.backoff.ms': { key: 'retryBackoffMs', number: true },
  'retry.backoff.max.ms': { key: 'retryBackoffMaxMs', number: true },
  'client.id': { key: 'clientId' },
};

/**
 * Maps Kafka Streams property names to a partial config (`exactly_once_v2` and `exactly_once` both
 * mean exactly-once). Unknown properties fail with the list of known ones.
 */
export function configFromProperties(props: Readonly<Record<string, string>>): Partial<TributaryAppConfig> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(props)) {
    const spec = PROPERTY_KEYS[name];
    if (spec === undefined) throw new ConfigError(`${name}: unknown property; known: ${Object.keys(PROPERTY_KEYS).join(', ')}`, { context: { key: name } });
    const value = raw.trim();
    if (spec.number) {
      const n = Number(value);
      if (!Number.isFinite(n) || value === '') throw new ConfigError(`${name}: must be a number, got '${raw}'`, { context: { key: name } });
      out[spec.key] = n;
    } else if (spec.key === 'processingGuarantee') {
      out[spec.key] = value === 'exactly_once_v2' || value === 'exactly_once_beta' ? 'exactly_once' : value;
    } else {
      out[spec.key] = value;
    }
  }
  return out as Partial<TributaryAppConfig>;
}
