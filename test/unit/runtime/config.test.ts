import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../lib/errors.js';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import { resolveAppConfig } from '../../../lib/app/config.js';
import { configFromProperties, normalizeConfig, type TributaryConfig } from '../../../lib/runtime/config.js';
import { CONFIG_KEYS, keyMeta, PROPERTY_NAMES, staticDefault } from '../../../lib/runtime/config-schema.js';
import { ErrorHandlers } from '../../../lib/runtime/error-handlers.js';
import { StreamsRuntime } from '../../../lib/runtime/streams-runtime.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { Topology } from '../../../lib/topology/topology.js';
import { TopologyTestDriver } from '../../../lib/testing/topology-test-driver.js';
import { defaultStateDir } from '../../../lib/util/state-dir.js';
import { readFileSync } from 'node:fs';
import { renderPage } from '../../../scripts/config-docs.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const passThrough = (): Topology =>
  new Topology()
    .addSource('src', ['in'], { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .addSink('out', 'out', { keySerde: Serdes.string(), valueSerde: Serdes.string() }, 'src');

describe('one configuration', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('fills the documented defaults', () => {
    const c = normalizeConfig({ applicationId: 'app' });
    expect(c).toMatchObject({
      processingGuarantee: 'exactly_once',
      exactlyOnce: true,
      commitIntervalMs: 100,
      stateDir: defaultStateDir(),
      clientId: 'app',
      pollMs: 100,
      sendThresholdRecords: 1,
      autoOffsetReset: 'earliest',
      maxFutureSkewMs: 86_400_000,
      deadLetterTopic: 'app-dlq',
      deadLetterTopicPartitions: 1,
      poisonRecordAttempts: 2,
      transactionTimeoutMs: 60_000,
      recoveryTimeoutMs: 300_000,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 10_000,
      installSignalHandlers: false,
    });
    expect(c.cacheMaxBytes).toBeUndefined();
    expect(c.replicationFactor).toBeUndefined();
    expect(c.uncaughtExceptionHandler(new Error('x'))).toBe('SHUTDOWN_CLIENT');
    const ctx = { topic: 't', partition: 0, offset: 0, taskId: '0_0' } as never;
    expect(c.deserializationExceptionHandler(ctx, new Error('x'))).toBe('dead-letter');
    expect(c.processingExceptionHandler(ctx, new Error('x'))).toBe('fail');
    expect(c.productionExceptionHandler(ctx, new Error('x'))).toBe('dead-letter');
    expect(normalizeConfig({ applicationId: 'app', processingGuarantee: 'at_least_once' }).commitIntervalMs).toBe(30_000);
    expect(normalizeConfig({ applicationId: 'app', maxFutureSkewMs: 0 }).maxFutureSkewMs).toBe(Number.POSITIVE_INFINITY);
    expect(normalizeConfig({ applicationId: 'app', deserializationExceptionHandler: 'continue' }).deserializationExceptionHandler(ctx, 1)).toBe('continue');
    expect(normalizeConfig({ applicationId: 'app', deserializationExceptionHandler: ErrorHandlers.fail }).deserializationExceptionHandler).toBe(
      ErrorHandlers.fail,
    );
  });

  it('the app, the runtime and the test driver run the same guarantee and defaults (exactly-once)', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tributary-config-'));
    closers.push(async () => rmSync(stateDir, { recursive: true, force: true }));
    const kafka = new EmbeddedKafka();
    closers.push(() => kafka.close());
    const app = resolveAppConfig({ applicationId: 'same', client: kafka, stateDir }).config;
    const runtime = new StreamsRuntime({ topology: passThrough(), client: kafka, config: { applicationId: 'same', stateDir } }).config;
    const driver = new TopologyTestDriver(passThrough(), { applicationId: 'same', stateDir });
    closers.push(() => driver.close());
    const d = driver.streams.config;
    for (const c of [runtime, d]) {
      expect(c.processingGuarantee).toBe('exactly_once');
      for (const k of [
        'commitIntervalMs',
        'pollMs',
        'deadLetterTopic',
        'transactionTimeoutMs',
        'recoveryTimeoutMs',
        'autoOffsetReset',
        'sendThresholdRecords',
        'poisonRecordAttempts',
      ] as const) {
        expect(c[k], k).toEqual(app[k]);
      }
    }
    // The one documented difference of the driver: its manual wall clock starts at 0.
    expect(d.maxFutureSkewMs).toBe(Number.POSITIVE_INFINITY);
    const alo = new TopologyTestDriver(passThrough(), { processingGuarantee: 'at_least_once', stateDir });
    closers.push(() => alo.close());
    expect(alo.streams.config.exactlyOnce).toBe(false);
  });

  it('invalid configuration fails at start naming every key and what to change', () => {
    const e = configError(() =>
      normalizeConfig({
        applicationId: 'app',
        commitIntervalMs: -1,
        processingGuarantee: 'exactly-once' as never,
        sessionTimeoutMs: 500,
        retryBackoffMs: 500,
        retryBackoffMaxMs: 100,
        comitIntervalMs: 5,
      } as TributaryConfig),
    );
    expect(e.message).toContain('Invalid tributary configuration:');
    expect(e.message).toMatch(/^commitIntervalMs: must be a whole number of ms >= 0$/m);
    expect(e.message).toMatch(/^processingGuarantee: .*"exactly_once"\|"exactly_once_v2"\|"at_least_once"/m);
    expect(e.message).toMatch(/^sessionTimeoutMs: must be >= 1000/m);
    expect(e.message).toContain("comitIntervalMs: unknown configuration key; did you mean 'commitIntervalMs'?");
    expect(configError(() => normalizeConfig({ applicationId: 'app', retryBackoffMs: 500, retryBackoffMaxMs: 100 })).message).toContain(
      'retryBackoffMaxMs: must be >= retryBackoffMs (500)',
    );
    expect(configError(() => normalizeConfig({ applicationId: 'app', sessionTimeoutMs: 6000, heartbeatIntervalMs: 3000 })).message).toContain(
      'heartbeatIntervalMs: must be at most a third of sessionTimeoutMs (6000)',
    );
    expect(configError(() => normalizeConfig({ applicationId: 'app', defaultKeySerde: {} as never })).message).toContain('defaultKeySerde: must be a Serde');
    expect(configError(() => normalizeConfig({ applicationId: 'app', processingExceptionHandler: 'ignore' as never })).context['key']).toBe(
      'processingExceptionHandler',
    );
  });

  it('the app needs a cluster: bootstrapServers or client, not both, security only with bootstrapServers', () => {
    expect(configError(() => resolveAppConfig({ applicationId: 'app' })).message).toMatch(
      /^Invalid tributary configuration:\nbootstrapServers: is required: set bootstrapServers \(host:port\) or client \(a KafkaClient\)/,
    );
    const kafka = new EmbeddedKafka();
    expect(configError(() => resolveAppConfig({ applicationId: 'app', client: kafka, bootstrapServers: 'localhost:9092' })).message).toContain(
      'client: give bootstrapServers or client, not both',
    );
    expect(configError(() => resolveAppConfig({ applicationId: 'app', client: kafka, security: { protocol: 'SSL' } })).message).toContain(
      'security: applies to clients the app creates',
    );
    expect(configError(() => resolveAppConfig({ applicationId: 'app', bootstrapServers: [] })).message).toContain(
      'bootstrapServers: must list at least one host:port',
    );
  });

  it('the test driver refuses invalid configuration the same way', () => {
    expect(configError(() => new TopologyTestDriver(passThrough(), { pollMs: -5 })).message).toMatch(/^pollMs: /m);
  });

  it('configFromProperties maps Kafka Streams property names, parses numbers and refuses unknown ones', () => {
    const props = configFromProperties({
      'application.id': 'orders',
      'bootstrap.servers': 'a:9092,b:9092',
      'processing.guarantee': 'exactly_once_v2',
      'commit.interval.ms': ' 250 ',
      'statestore.cache.max.bytes': '1048576',
      'task.timeout.ms': '60000',
      'auto.offset.reset': 'latest',
      'client.id': 'c1',
    });
    expect(props).toEqual({
      applicationId: 'orders',
      bootstrapServers: 'a:9092,b:9092',
      processingGuarantee: 'exactly_once_v2',
      commitIntervalMs: 250,
      cacheMaxBytes: 1_048_576,
      recoveryTimeoutMs: 60_000,
      autoOffsetReset: 'latest',
      clientId: 'c1',
    });
    const c = normalizeConfig({ ...props, applicationId: 'orders', kafkaClient: 'platformatic' });
    expect([c.commitIntervalMs, c.cacheMaxBytes, c.recoveryTimeoutMs, c.exactlyOnce]).toEqual([250, 1_048_576, 60_000, true]);
    expect(configFromProperties({ 'processing.guarantee': 'at_least_once', 'cache.max.bytes.buffering': '0' })).toEqual({
      processingGuarantee: 'at_least_once',
      cacheMaxBytes: 0,
    });
    expect(configFromProperties({ 'num.standby.replicas': '1' })).toEqual({ numStandbyReplicas: 1 });
    expect(normalizeConfig({ applicationId: 'a' }).numStandbyReplicas).toBe(0);
    expect(configError(() => normalizeConfig({ applicationId: 'a', numStandbyReplicas: -1 })).message).toMatch(/^numStandbyReplicas: /m);
    const unknown = configError(() => configFromProperties({ 'num.stream.threads': '2' }));
    expect(unknown.message).toMatch(/^num\.stream\.threads: unknown property; known: application\.id, bootstrap\.servers, /);
    expect(unknown.context['key']).toBe('num.stream.threads');
    expect(configError(() => configFromProperties({ 'commit.interval.ms': 'soon' })).message).toMatch(/^commit\.interval\.ms: must be a number, got 'soon'/);
    expect(configError(() => configFromProperties({ 'poll.ms': '' })).message).toMatch(/^poll\.ms: must be a number, got ''/);
    // A value of the wrong kind passes the mapping and fails validation, naming the key.
    expect(configError(() => normalizeConfig({ applicationId: 'a', ...configFromProperties({ 'auto.offset.reset': 'none' }) })).message).toMatch(
      /^autoOffsetReset: /m,
    );
  });

  it('exactly_once_v2 and groupInstanceId: accepted with platformatic or the embedded broker, refused with kafkajs saying what to change', () => {
    const v2 = normalizeConfig({
      applicationId: 'a',
      bootstrapServers: 'b:9092',
      kafkaClient: 'platformatic',
      processingGuarantee: 'exactly_once_v2',
      groupInstanceId: 'pod-1',
    });
    expect([v2.exactlyOnce, v2.eosV2, v2.groupInstanceId, v2.commitIntervalMs]).toEqual([true, true, 'pod-1', 100]);
    const v1 = normalizeConfig({ applicationId: 'a', processingGuarantee: 'exactly_once' });
    expect([v1.exactlyOnce, v1.eosV2, v1.groupInstanceId]).toEqual([true, false, undefined]);
    expect(normalizeConfig({ applicationId: 'a', client: new EmbeddedKafka(), processingGuarantee: 'exactly_once_v2' }).eosV2).toBe(true);
    const kafkajs = configError(() =>
      normalizeConfig({ applicationId: 'a', bootstrapServers: 'b:9092', kafkaClient: 'kafkajs', processingGuarantee: 'exactly_once_v2' }),
    );
    expect(kafkajs.message).toMatch(
      /^processingGuarantee: exactly_once_v2 needs .* kafkajs cannot send: set kafkaClient: 'platformatic' .* or use processingGuarantee: 'exactly_once'/m,
    );
    const statik = configError(() => normalizeConfig({ applicationId: 'a', bootstrapServers: 'b:9092', kafkaClient: 'kafkajs', groupInstanceId: 'pod-1' }));
    expect(statik.message).toMatch(/^groupInstanceId: static membership is not supported by kafkajs: set kafkaClient: 'platformatic'/m);
    expect(configError(() => normalizeConfig({ applicationId: 'a', groupInstanceId: 'pod 1' })).message).toMatch(
      /^groupInstanceId: must be a non-empty id without spaces/m,
    );
    expect(configFromProperties({ 'processing.guarantee': 'exactly_once_beta', 'group.instance.id': 'pod-2' })).toEqual({
      processingGuarantee: 'exactly_once_v2',
      groupInstanceId: 'pod-2',
    });
  });

  it('every public key has a type and either a static or a described default, and properties name existing keys', () => {
    for (const k of CONFIG_KEYS) {
      const meta = keyMeta(k);
      expect(meta.type, k).not.toBe('');
      if (k !== 'applicationId' && k !== 'bootstrapServers' && k !== 'client')
        expect(staticDefault(k) !== undefined || meta.derived !== undefined, k).toBe(true);
    }
    expect(CONFIG_KEYS).not.toContain('clock');
    for (const [p, { key }] of PROPERTY_NAMES) expect(CONFIG_KEYS, p).toContain(key);
    expect(PROPERTY_NAMES.size).toBe(22);
  });

  it('the generated reference is current and fails on a key without a doc comment', () => {
    const source = readFileSync('lib/runtime/config.ts', 'utf8');
    expect(readFileSync('docs/configuration.md', 'utf8')).toBe(renderPage(source));
    const undocumented = source.replace('  /** Max wait of one poll (ms). */\n', '');
    expect(undocumented).not.toBe(source);
    expect(() => renderPage(undocumented)).toThrow('pollMs: no doc comment in lib/runtime/config.ts');
    expect(() => renderPage(source.replace('  readonly pollMs?: number;\n', ''))).toThrow('pollMs: in the schema but not in interface TributaryConfig');
  });
});

describe('rebalanceProtocol', () => {
  it('defaults to the client (undefined), accepts eager and cooperative', () => {
    expect(normalizeConfig({ applicationId: 'app' }).rebalanceProtocol).toBeUndefined();
    expect(
      normalizeConfig({ applicationId: 'app', bootstrapServers: 'h:1', kafkaClient: 'platformatic', rebalanceProtocol: 'cooperative' }).rebalanceProtocol,
    ).toBe('cooperative');
    expect(normalizeConfig({ applicationId: 'app', bootstrapServers: 'h:1', rebalanceProtocol: 'eager' }).rebalanceProtocol).toBe('eager');
  });

  it("fails at start with kafkajs and 'cooperative', saying what to change", () => {
    expect(() => normalizeConfig({ applicationId: 'app', bootstrapServers: 'h:1', kafkaClient: 'kafkajs', rebalanceProtocol: 'cooperative' })).toThrow(
      /rebalanceProtocol: 'cooperative' is not supported by the kafkajs client.*kafkaClient: 'platformatic'/,
    );
  });

  it("the embedded broker refuses 'cooperative' when the consumer connects", async () => {
    const kafka = new EmbeddedKafka();
    const c = kafka.consumer({ groupId: 'g', rebalanceProtocol: 'cooperative' });
    await expect(c.connect()).rejects.toThrow(/not supported by the embedded broker/);
  });
});
