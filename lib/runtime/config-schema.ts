/**
 * The one schema of `TributaryConfig` (zod): each key once, with its validation, its default (a
 * zod default, or a derived one computed in the final transform and described by `derived`), and
 * its Kafka Streams property name for `configFromProperties`. The app, the runtime and the test
 * driver all parse with it; `scripts/config-docs.ts` renders it as docs/configuration.md.
 */
import { z } from 'zod';
import type { KafkaClient } from '../kafka/types.js';
import type { KafkaSecurity } from '../kafka/security.js';
import { defaultKafkaClient, KAFKA_CLIENT_KINDS } from '../kafka/client-choice.js';
import type { Serde } from '../serde/types.js';
import type { TimestampExtractor } from '../topology/types.js';
import { APPLICATION_ID_MAX_LENGTH, APPLICATION_ID_USE, nameProblem } from '../util/names.js';
import { DEFAULT_STATE_DIR_TEXT, defaultStateDir } from '../util/state-dir.js';
import { systemClock, type Clock } from './clock.js';
import type {
  HandlerName,
  NormalizedConfig,
  RuntimeLogger,
  StreamsConfig,
  TributaryConfig,
  UncaughtExceptionHandler,
  UncaughtExceptionResponse,
} from './config.js';
import { ErrorHandlers, type ErrorHandlerContext, type ErrorResponse } from './error-handlers.js';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from './timestamps.js';

/** How `configFromProperties` reads a property's text. */
export type PropertyKind = 'string' | 'number' | 'guarantee';

/** What the schema says about one key beyond its validation (docs and property files). */
export interface KeyMeta {
  /** Kafka Streams property names that map to this key. */
  readonly properties?: readonly string[];
  readonly kind?: PropertyKind;
  /** The default when it is derived from other keys or the environment (shown in the docs). */
  readonly derived?: string;
  /** The type as users write it (shown in the docs). */
  readonly type: string;
}

const KEY_META = new Map<string, KeyMeta>();

function key<S extends z.ZodType>(name: string, schema: S, meta: KeyMeta): S {
  KEY_META.set(name, meta);
  return schema;
}

const fn = <F>(what: string) => z.custom<F>((v) => typeof v === 'function', { message: `must be a function (${what})` });
const ms = z.number('must be a whole number of ms >= 0').int('must be a whole number of ms >= 0').nonnegative('must be a whole number of ms >= 0');
const HANDLER_NAMES = ['dead-letter', 'continue', 'fail', 'log-and-continue'] as const satisfies readonly HandlerName[];
const handler = z.union([z.enum(HANDLER_NAMES), fn<ErrorHandler>('context, error => response')]);
const serde = z.custom<Serde<unknown>>((v) => typeof v === 'object' && v !== null && 'serialize' in v && 'deserialize' in v, {
  message: 'must be a Serde (Serdes.string(), Serdes.json(), ...)',
});
const name = (what: string, maxLength?: number, usedFor?: string) =>
  z.string().superRefine((v, ctx) => {
    const problem = nameProblem(v, maxLength);
    if (problem !== null) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(v)} is not allowed: ${problem}${usedFor === undefined ? '' : ` (it ${usedFor})`}; use 1-${maxLength ?? 249} characters of letters, digits, '.', '_' and '-', e.g. "${what}"`,
      });
    }
  });

/** Every key of `StreamsConfig` (the public `TributaryConfig` and the internal `clock`), each once. */
const SHAPE = {
  applicationId: key('applicationId', name('my-app', APPLICATION_ID_MAX_LENGTH, APPLICATION_ID_USE), { type: 'string', properties: ['application.id'] }),
  bootstrapServers: key(
    'bootstrapServers',
    z.union([z.string().min(1, 'must not be empty'), z.array(z.string().min(1)).min(1, 'must list at least one host:port').readonly()]).optional(),
    { type: 'string | string[]', properties: ['bootstrap.servers'] },
  ),
  client: key(
    'client',
    z
      .custom<KafkaClient>(
        (v) => typeof v === 'object' && v !== null && typeof (v as KafkaClient).consumer === 'function' && typeof (v as KafkaClient).producer === 'function',
        {
          message: 'must be a KafkaClient (createKafkaClient(...) or new EmbeddedKafka())',
        },
      )
      .optional(),
    { type: 'KafkaClient' },
  ),
  security: key(
    'security',
    z
      .custom<KafkaSecurity>((v) => typeof v === 'object' && v !== null && typeof (v as KafkaSecurity).protocol === 'string', {
        message: "must be { protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL', sasl?, tls? }",
      })
      .optional(),
    { type: 'KafkaSecurity', derived: 'PLAINTEXT' },
  ),
  kafkaClient: key('kafkaClient', z.enum(KAFKA_CLIENT_KINDS as readonly ['platformatic', 'kafkajs']).optional(), {
    type: "'platformatic' | 'kafkajs'",
    properties: ['tributary.kafka.client'],
    derived: "'platformatic' ('kafkajs' on a Node version platformatic does not support)",
  }),
  clientId: key('clientId', z.string().min(1).optional(), { type: 'string', properties: ['client.id'], derived: 'applicationId' }),
  processingGuarantee: key('processingGuarantee', z.enum(['exactly_once', 'exactly_once_v2', 'at_least_once']).default('exactly_once'), {
    type: "'exactly_once' | 'exactly_once_v2' | 'at_least_once'",
    properties: ['processing.guarantee'],
    kind: 'guarantee',
  }),
  groupInstanceId: key('groupInstanceId', z.string().regex(/^\S+$/, 'must be a non-empty id without spaces (e.g. the pod name)').optional(), {
    type: 'string',
    properties: ['group.instance.id'],
    derived: 'none (dynamic membership)',
  }),
  commitIntervalMs: key('commitIntervalMs', ms.optional(), {
    type: 'number',
    properties: ['commit.interval.ms'],
    kind: 'number',
    derived: '100 under exactly-once, 30000 under at-least-once',
  }),
  stateDir: key('stateDir', z.string().min(1).optional(), { type: 'string', properties: ['state.dir'], derived: DEFAULT_STATE_DIR_TEXT }),
  cacheMaxBytes: key('cacheMaxBytes', z.number().int().nonnegative().optional(), {
    type: 'number',
    properties: ['statestore.cache.max.bytes', 'cache.max.bytes.buffering'],
    kind: 'number',
    derived: "each store's own budget",
  }),
  optimize: key('optimize', z.boolean('must be true or false (false runs every logical node as written)').default(true), { type: 'boolean' }),
  pollMs: key('pollMs', ms.default(100), { type: 'number', properties: ['poll.ms'], kind: 'number' }),
  sendThresholdRecords: key('sendThresholdRecords', z.number().int().positive().default(1), { type: 'number' }),
  autoOffsetReset: key('autoOffsetReset', z.enum(['earliest', 'latest']).default('earliest'), {
    type: "'earliest' | 'latest'",
    properties: ['auto.offset.reset'],
  }),
  replicationFactor: key('replicationFactor', z.number().int().positive().optional(), {
    type: 'number',
    properties: ['replication.factor'],
    kind: 'number',
    derived: "the broker's default",
  }),
  defaultKeySerde: key('defaultKeySerde', serde.optional(), { type: 'Serde', derived: 'none: every source and sink names its serdes' }),
  defaultValueSerde: key('defaultValueSerde', serde.optional(), { type: 'Serde', derived: 'none: every source and sink names its serdes' }),
  defaultTimestampExtractor: key('defaultTimestampExtractor', fn<TimestampExtractor>('record, partitionTime => timestamp').optional(), {
    type: 'TimestampExtractor',
    derived: "the record's timestamp",
  }),
  maxFutureSkewMs: key(
    'maxFutureSkewMs',
    z
      .custom<number>((v) => v === Number.POSITIVE_INFINITY || (Number.isInteger(v) && (v as number) >= 0), {
        message: 'must be a number of ms >= 0 (0 or Infinity disables the check)',
      })
      .default(DEFAULT_MAX_FUTURE_SKEW_MS),
    {
      type: 'number',
      properties: ['max.future.skew.ms'],
      kind: 'number',
    },
  ),
  deadLetterTopic: key('deadLetterTopic', name('my-app-dlq', undefined, 'is a topic name').optional(), {
    type: 'string',
    properties: ['dead.letter.topic'],
    derived: '<applicationId>-dlq',
  }),
  deadLetterTopicPartitions: key('deadLetterTopicPartitions', z.number().int().positive().default(1), { type: 'number' }),
  deserializationExceptionHandler: key('deserializationExceptionHandler', handler.default('dead-letter'), {
    type: 'DeserializationExceptionHandler | HandlerName',
  }),
  processingExceptionHandler: key('processingExceptionHandler', handler.default('fail'), { type: 'ProcessingExceptionHandler | HandlerName' }),
  productionExceptionHandler: key('productionExceptionHandler', handler.default('dead-letter'), { type: 'ProductionExceptionHandler | HandlerName' }),
  uncaughtExceptionHandler: key(
    'uncaughtExceptionHandler',
    z
      .union([z.enum(['REPLACE_THREAD', 'SHUTDOWN_CLIENT', 'SHUTDOWN_APPLICATION']), fn<UncaughtExceptionHandler>('error => response')])
      .default('SHUTDOWN_CLIENT'),
    { type: 'UncaughtExceptionHandler | UncaughtExceptionResponse' },
  ),
  poisonRecordAttempts: key('poisonRecordAttempts', z.number().int().positive().default(2), { type: 'number' }),
  /** Warm copies of stateful tasks this runner does not own, kept by tailing their changelogs (0: none); see docs/operations.md "Standby replicas". */
  numStandbyReplicas: key('numStandbyReplicas', z.number().int().nonnegative().default(0), {
    type: 'number',
    properties: ['num.standby.replicas'],
    kind: 'number',
  }),
  sessionTimeoutMs: key(
    'sessionTimeoutMs',
    z.number().int().min(1000, 'must be >= 1000 (brokers reject less than group.min.session.timeout.ms, 6000 by default)').optional(),
    { type: 'number', properties: ['session.timeout.ms'], kind: 'number', derived: '30000' },
  ),
  heartbeatIntervalMs: key('heartbeatIntervalMs', z.number().int().positive().optional(), {
    type: 'number',
    properties: ['heartbeat.interval.ms'],
    kind: 'number',
    derived: '3000 (at most a third of sessionTimeoutMs)',
  }),
  /**
   * The consumer group's rebalance protocol. `'cooperative'` (KIP-429): only the partitions that
   * move are revoked; tasks that stay keep their state and producers and keep processing during
   * the rebalance, and a moved task is committed and closed by its old owner before its new owner
   * gets it (a follow-up rebalance). `'eager'`: every rebalance may move every partition, and a
   * moved task's revocation is seen after its new owner started (exactly-once stays correct by
   * fencing). Unset: the client's best, cooperative with `kafkaClient: 'platformatic'`, eager with
   * kafkajs and the embedded broker, which support eager only (`'cooperative'` with them fails at
   * start). See docs/operations.md "Rebalance protocols".
   */
  rebalanceProtocol: key('rebalanceProtocol', z.enum(['cooperative', 'eager']).optional(), {
    type: "'cooperative' | 'eager'",
    derived: "'cooperative' with kafkaClient 'platformatic', else 'eager'",
  }),
  transactionTimeoutMs: key('transactionTimeoutMs', z.number().int().positive().default(60_000), {
    type: 'number',
    properties: ['transaction.timeout.ms'],
    kind: 'number',
  }),
  recoveryTimeoutMs: key('recoveryTimeoutMs', ms.default(300_000), { type: 'number', properties: ['task.timeout.ms'], kind: 'number' }),
  retryBackoffMs: key('retryBackoffMs', ms.default(100), { type: 'number', properties: ['retry.backoff.ms'], kind: 'number' }),
  retryBackoffMaxMs: key('retryBackoffMaxMs', ms.default(10_000), { type: 'number', properties: ['retry.backoff.max.ms'], kind: 'number' }),
  installSignalHandlers: key('installSignalHandlers', z.boolean().default(false), { type: 'boolean' }),
  logger: key('logger', fn<RuntimeLogger>('level, message, fields => void').optional(), { type: 'RuntimeLogger', derived: 'warnings and errors to stderr' }),
  clock: z
    .custom<Clock>((v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function', { message: 'must be a Clock ({ now(): number })' })
    .optional(),
} satisfies { readonly [K in keyof Required<StreamsConfig>]: z.ZodType };

/** The public keys (all but the internal `clock`), in schema order. */
export const CONFIG_KEYS: readonly (keyof TributaryConfig)[] = Object.keys(SHAPE).filter((k) => k !== 'clock') as (keyof TributaryConfig)[];

/** Docs and property metadata of a public key. */
export function keyMeta(key: keyof TributaryConfig): KeyMeta {
  return KEY_META.get(key)!;
}

/** The static default of a key (a zod default), or undefined when it has none or a derived one. */
export function staticDefault(key: keyof TributaryConfig): unknown {
  const field = SHAPE[key] as z.ZodType;
  return field instanceof z.ZodDefault ? (field.def.defaultValue as unknown) : undefined;
}

/** Kafka Streams property name → the key it sets and how to read its text. */
export const PROPERTY_NAMES: ReadonlyMap<string, { readonly key: keyof TributaryConfig; readonly kind: PropertyKind }> = new Map(
  CONFIG_KEYS.flatMap((k) => (KEY_META.get(k)!.properties ?? []).map((p) => [p, { key: k, kind: KEY_META.get(k)!.kind ?? 'string' }] as const)),
);

const stderrLogger: RuntimeLogger = (level, message) => {
  if (level === 'warn' || level === 'error') process.stderr.write(`[tributary] ${level}: ${message}\n`);
};

/** The shape shared by the deserialization, processing and production handlers. */
type ErrorHandler = (context: ErrorHandlerContext, error: unknown) => ErrorResponse;

function resolveHandler(h: HandlerName | ErrorHandler): ErrorHandler {
  if (typeof h === 'function') return h;
  if (h === 'log-and-continue') return ErrorHandlers.logAndContinue;
  return () => h;
}

/** The schema: validation, cross-key rules, then the derived defaults. Parses a `StreamsConfig` into a `NormalizedConfig`. */
export const CONFIG_SCHEMA: z.ZodType<NormalizedConfig, StreamsConfig> = z
  .strictObject(SHAPE)
  .superRefine((c, ctx) => {
    if (c.bootstrapServers !== undefined && c.client !== undefined)
      ctx.addIssue({ code: 'custom', path: ['client'], message: 'give bootstrapServers or client, not both' });
    if (c.security !== undefined && c.client !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['security'],
        message: 'applies to clients the app creates from bootstrapServers; give the security settings to the client you pass instead',
      });
    }
    if (c.kafkaClient !== undefined && c.client !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['kafkaClient'],
        message: 'applies to clients the app creates from bootstrapServers; pass it to createKafkaClient for the client you pass instead',
      });
    if (c.rebalanceProtocol === 'cooperative' && c.bootstrapServers !== undefined && (c.kafkaClient ?? defaultKafkaClient()) === 'kafkajs') {
      ctx.addIssue({
        code: 'custom',
        path: ['rebalanceProtocol'],
        message: "'cooperative' is not supported by the kafkajs client (eager only): set kafkaClient: 'platformatic', or rebalanceProtocol: 'eager'",
      });
    }
    if (c.sessionTimeoutMs !== undefined && c.heartbeatIntervalMs !== undefined && c.heartbeatIntervalMs * 3 > c.sessionTimeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['heartbeatIntervalMs'], message: `must be at most a third of sessionTimeoutMs (${c.sessionTimeoutMs})` });
    }
    // The client the runtime will use: from bootstrapServers (kafkaClient), or the one passed (none: the test driver).
    const client =
      c.client !== undefined
        ? c.client.name.startsWith('kafkajs')
          ? 'kafkajs'
          : 'other'
        : c.bootstrapServers !== undefined
          ? (c.kafkaClient ?? defaultKafkaClient())
          : 'none';
    if (c.processingGuarantee === 'exactly_once_v2' && client === 'kafkajs') {
      ctx.addIssue({
        code: 'custom',
        path: ['processingGuarantee'],
        message:
          "exactly_once_v2 needs the consumer group's generation in transactional offset commits, which kafkajs cannot send: set kafkaClient: 'platformatic' (env TRIBUTARY_KAFKA_CLIENT=platformatic) or use processingGuarantee: 'exactly_once'",
      });
    }
    if (c.groupInstanceId !== undefined && client === 'kafkajs') {
      ctx.addIssue({
        code: 'custom',
        path: ['groupInstanceId'],
        message:
          "static membership is not supported by kafkajs: set kafkaClient: 'platformatic' (env TRIBUTARY_KAFKA_CLIENT=platformatic) or remove groupInstanceId",
      });
    }
    if (c.retryBackoffMaxMs < c.retryBackoffMs)
      ctx.addIssue({ code: 'custom', path: ['retryBackoffMaxMs'], message: `must be >= retryBackoffMs (${c.retryBackoffMs})` });
  })
  .transform((c): NormalizedConfig => {
    const exactlyOnce = c.processingGuarantee === 'exactly_once' || c.processingGuarantee === 'exactly_once_v2';
    const uncaught = c.uncaughtExceptionHandler;
    return {
      applicationId: c.applicationId,
      bootstrapServers: c.bootstrapServers,
      client: c.client,
      security: c.security,
      kafkaClient: c.kafkaClient ?? defaultKafkaClient(),
      clientId: c.clientId ?? c.applicationId,
      processingGuarantee: c.processingGuarantee,
      exactlyOnce,
      eosV2: c.processingGuarantee === 'exactly_once_v2',
      groupInstanceId: c.groupInstanceId,
      commitIntervalMs: c.commitIntervalMs ?? (exactlyOnce ? 100 : 30_000),
      stateDir: c.stateDir ?? defaultStateDir(),
      cacheMaxBytes: c.cacheMaxBytes,
      optimize: c.optimize,
      pollMs: c.pollMs,
      sendThresholdRecords: c.sendThresholdRecords,
      autoOffsetReset: c.autoOffsetReset,
      replicationFactor: c.replicationFactor,
      defaultKeySerde: c.defaultKeySerde,
      defaultValueSerde: c.defaultValueSerde,
      defaultTimestampExtractor: c.defaultTimestampExtractor,
      maxFutureSkewMs: c.maxFutureSkewMs === 0 ? Number.POSITIVE_INFINITY : c.maxFutureSkewMs,
      deadLetterTopic: c.deadLetterTopic ?? `${c.applicationId}-dlq`,
      deadLetterTopicPartitions: c.deadLetterTopicPartitions,
      deserializationExceptionHandler: resolveHandler(c.deserializationExceptionHandler),
      processingExceptionHandler: resolveHandler(c.processingExceptionHandler),
      productionExceptionHandler: resolveHandler(c.productionExceptionHandler),
      uncaughtExceptionHandler: typeof uncaught === 'function' ? uncaught : (): UncaughtExceptionResponse => uncaught,
      poisonRecordAttempts: c.poisonRecordAttempts,
      numStandbyReplicas: c.numStandbyReplicas,
      sessionTimeoutMs: c.sessionTimeoutMs,
      heartbeatIntervalMs: c.heartbeatIntervalMs,
      rebalanceProtocol: c.rebalanceProtocol,
      transactionTimeoutMs: c.transactionTimeoutMs,
      recoveryTimeoutMs: c.recoveryTimeoutMs,
      retryBackoffMs: c.retryBackoffMs,
      retryBackoffMaxMs: c.retryBackoffMaxMs,
      installSignalHandlers: c.installSignalHandlers,
      logger: c.logger ?? stderrLogger,
      clock: c.clock ?? systemClock,
    };
  }) as z.ZodType<NormalizedConfig, StreamsConfig>;
