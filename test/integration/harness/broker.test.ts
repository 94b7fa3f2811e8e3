/**
 * The test broker harness itself: the run's broker (from test/global-setup.ts) is a usable Kafka
 * with the single-node settings exactly-once needs, and scripts/kafka-broker.ts can start more
 * brokers side by side, survives stale temp dirs and port conflicts, and reports a broker that
 * dies during start with its log.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { BrokerStartError, startBroker, type RunningBroker } from '../../../scripts/kafka-broker.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';

function client(bootstrap: string): Kafka {
  return new Kafka({ clientId: uniqueName('harness'), brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

async function brokerConfig(bootstrap: string, names: string[]): Promise<Record<string, string>> {
  const admin = client(bootstrap).admin();
  await admin.connect();
  try {
    const res = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: names }],
    });
    const out: Record<string, string> = {};
    for (const e of res.resources[0]?.configEntries ?? []) out[e.configName] = e.configValue;
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Live (non-zombie) processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Temp dirs of brokers whose owner is this test process. */
function ownDirs(): string[] {
  return readdirSync(tmpdir())
    .filter((n) => n.startsWith('tributary-kafka-'))
    .filter((n) => {
      try {
        return JSON.parse(readFileSync(join(tmpdir(), n, 'owner.json'), 'utf8')).ownerPid === process.pid;
      } catch {
        return false;
      }
    });
}

async function expectStoppedCleanly(broker: RunningBroker): Promise<void> {
  await broker.stop();
  expect(existsSync(broker.dir)).toBe(false);
  expect(processesMentioning(broker.dir)).toEqual([]);
}

const extra: RunningBroker[] = [];
afterAll(async () => {
  for (const b of extra) await b.stop();
});

describe('the broker of this run', () => {
  it('answers, has the single-node exactly-once settings, and runs transactions', async () => {
    const bootstrap = realBootstrapServers();
    expect(bootstrap).toMatch(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/);

    const cfg = await brokerConfig(bootstrap, [
      'auto.create.topics.enable',
      'transaction.state.log.replication.factor',
      'transaction.state.log.min.isr',
      'offsets.topic.replication.factor',
      'group.initial.rebalance.delay.ms',
    ]);
    expect(cfg).toMatchObject({
      'auto.create.topics.enable': 'false',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'offsets.topic.replication.factor': '1',
      'group.initial.rebalance.delay.ms': '0',
    });

    const kafka = client(bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName('harness-txn');
    const producer = kafka.producer({ transactionalId: uniqueName('harness-tx'), idempotent: true, maxInFlightRequests: 1 });
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
      await producer.connect();
      const committed = await producer.transaction();
      await committed.send({ topic, messages: [{ key: 'k', value: 'committed' }] });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'k', value: 'aborted' }] });
      await aborted.abort();
      // two data records + a commit marker + an abort marker; the coordinator writes markers
      // after answering EndTxn, so the high watermark may take a moment to include them
      const deadline = Date.now() + 15_000;
      let offsets = (await admin.fetchTopicOffsets(topic))[0];
      while (offsets?.high !== '4' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        offsets = (await admin.fetchTopicOffsets(topic))[0];
      }
      expect(offsets).toMatchObject({ partition: 0, low: '0', high: '4' });
    } finally {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });
});

describe('scripts/kafka-broker.ts', () => {
  it('starts a second broker concurrently on other ports, past stale dirs, and stops it cleanly', async () => {
    const dead = spawnSync('true').pid;
    const stale = join(tmpdir(), `tributary-kafka-stale-${process.pid}-${Date.now()}`);
    mkdirSync(join(stale, 'data', '__cluster_metadata-0'), { recursive: true });
    writeFileSync(join(stale, 'data', 'meta.properties'), 'cluster.id=bogus\nnode.id=1\nversion=1\n');
    writeFileSync(join(stale, 'owner.json'), JSON.stringify({ ownerPid: dead, ownerStart: '1', createdAt: '2020-01-01T00:00:00Z' }));
    const alive = join(tmpdir(), `tributary-kafka-alive-${process.pid}-${Date.now()}`);
    mkdirSync(alive);
    writeFileSync(join(alive, 'owner.json'), JSON.stringify({ ownerPid: process.pid, ownerStart: '', createdAt: new Date().toISOString() }));

    try {
      const [a, b] = await Promise.all([startBroker(), startBroker()]);
      extra.push(a, b);
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(alive)).toBe(true);

      const runPort = Number(realBootstrapServers().split(',')[0]!.split(':').pop());
      const ports = new Set([a.port, a.controllerPort, b.port, b.controllerPort, runPort]);
      expect(ports.size).toBe(5);
      expect(a.dir).not.toBe(b.dir);

      // all three answer at the same time
      const ids = await Promise.all(
        [a.bootstrapServers, b.bootstrapServers, realBootstrapServers()].map(async (bs) => {
          const admin = client(bs).admin();
          await admin.connect();
          try {
            return (await admin.describeCluster()).brokers.length;
          } finally {
            await admin.disconnect();
          }
        }),
      );
      expect(ids).toEqual([1, 1, 1]);
      expect(processesMentioning(a.dir).length).toBeGreaterThan(0);

      await expectStoppedCleanly(a);
      await expectStoppedCleanly(b);
      // the run's broker is unaffected
      expect((await brokerConfig(realBootstrapServers(), ['auto.create.topics.enable']))['auto.create.topics.enable']).toBe('false');
    } finally {
      rmSync(stale, { recursive: true, force: true });
      rmSync(alive, { recursive: true, force: true });
    }
  });

  it('retries on fresh ports when Kafka cannot bind its port', async () => {
    const blocker: Server = createServer();
    const accepted = new Set<Socket>();
    blocker.on('connection', (socket) => {
      accepted.add(socket);
      socket.on('close', () => accepted.delete(socket));
    });
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const failed = await startBroker({ port: taken, probePorts: false, maxAttempts: 1 }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failed).toBeInstanceOf(BrokerStartError);
      expect((failed as BrokerStartError).bindConflict).toBe(true);
      expect((failed as Error).message).toMatch(/Address already in use|BindException/);
      expect(ownDirs()).toEqual([]);

      const broker = await startBroker({ port: taken, probePorts: false });
      extra.push(broker);
      expect(broker.attempts).toBe(2);
      expect(broker.port).not.toBe(taken);
      await expectStoppedCleanly(broker);
    } finally {
      // readiness probes of attempt 1 connected to the blocker, which never answered them
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('fails with the tool output and leaves nothing behind when the config is invalid', async () => {
    const err = await startBroker({ extraProperties: { 'log.segment.bytes': 'not-a-number' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BrokerStartError);
    expect((err as Error).message).toMatch(/log\.segment\.bytes/);
    expect(ownDirs()).toEqual([]);
  });
});
