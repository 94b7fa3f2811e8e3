/**
 * The CLI against the test broker's secured listeners, as a user runs it (child processes of
 * bin/tributary.js, `--client-config client.properties`):
 *
 * - `produce` + `run` of the windowed seed topology over SASL_SSL (SCRAM-SHA-512): output equals the
 *   model, and every client of the run (admin, consumers, per-task producers, restore) reached the
 *   SASL_SSL listener (the broker advertises only that listener to clients that bootstrap there);
 * - each misconfiguration fails within the connect timeout with a message naming the broker, the
 *   protocol and what to check: wrong password, unknown mechanism, untrusted certificate, wrong
 *   host name, no client certificate (mutual TLS), TLS to a plaintext port, plaintext to a TLS port,
 *   an unreachable broker, an expired broker certificate;
 * - a distinctive password never appears in any output (progress lines, logs at info level,
 *   errors).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { pipelineModel } from '../../../lib/cli/demo/model.js';
import { readWholeTopic } from '../../../lib/cli/demo/topic-reader.js';
import { generateTransactions } from '../../../lib/cli/produce/transactions.js';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import type { Admin } from '../../../lib/kafka/types.js';
import type { AggregateRow } from '../../../topologies/transactions-rows.js';
import { realBootstrapServers, secureBroker, secureConnection, uniqueName, writeClientProperties } from '../../helpers/kafka-env.js';
import { closedPort, runBin, startBin, type BinResult, type RunningBin } from '../pipeline/bin.js';
import { checkWindows, modelWindows } from '../pipeline/model-check.js';

/** Distinctive: a wrong password that must never be printed. */
const WRONG = 'Wr0ng-Tributary-Secret-9f2e71';
const dir = mkdtempSync(join(tmpdir(), 'tributary-secured-cli-'));
const children: RunningBin[] = [];
const outputs: { what: string; text: string }[] = [];
afterAll(() => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function record(what: string, r: BinResult): BinResult {
  outputs.push({ what, text: r.stdout + r.stderr });
  return r;
}

function properties(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function committedToEnd(admin: Admin, group: string, topic: string): Promise<boolean> {
  const committed = new Map((await admin.fetchCommittedOffsets(group, [topic])).map((c) => [c.partition, c.offset]));
  return (await admin.fetchTopicOffsets(topic)).every((p) => committed.get(p.partition) === p.high);
}

/**
 * A TLS endpoint on 127.0.0.1 presenting a certificate that expired in 2020, signed (with
 * `openssl ca`, which takes explicit start and end dates) by the CA next to `caFile`.
 */
async function expiredTlsEndpoint(caFile: string, workDir: string): Promise<{ bootstrap: string; close: () => Promise<void> }> {
  mkdirSync(workDir, { recursive: true });
  const run = (args: readonly string[]) => {
    const out = spawnSync('openssl', args, { cwd: workDir, encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`openssl ${args[0]} failed: ${out.stderr}`);
  };
  writeFileSync(
    join(workDir, 'ca.cnf'),
    '[ca]\ndefault_ca = expired\n[expired]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = any\ncopy_extensions = copy\nunique_subject = no\n[any]\ncommonName = supplied\n',
  );
  writeFileSync(join(workDir, 'index.txt'), '');
  writeFileSync(join(workDir, 'serial'), '01\n');
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'expired.key',
    '-out',
    'expired.csr',
    '-subj',
    '/CN=tributary-broker.test',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  run([
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    caFile,
    '-keyfile',
    join(dirname(caFile), 'ca.key'),
    '-in',
    'expired.csr',
    '-out',
    'expired.crt',
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
    '-notext',
  ]);
  const server = createTlsServer({ key: readFileSync(join(workDir, 'expired.key')), cert: readFileSync(join(workDir, 'expired.crt')) }, (socket) =>
    socket.end(),
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { bootstrap: `127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const CONNECT = ['--connect-timeout', '15s'];
const produceArgs = (topic: string, config: string | undefined, extra: readonly string[] = []) => [
  'produce',
  'transactions',
  '--topic',
  topic,
  '--num-transactions',
  '20',
  ...(config ? ['--client-config', config] : []),
  ...CONNECT,
  ...extra,
];

describe('tributary CLI on a secured cluster', () => {
  it('produce + run over SASL_SSL (SCRAM-SHA-512, password from ${env:...}): output equals the model', async () => {
    const s = secureBroker();
    const config = writeClientProperties(dir, 'SASL_SSL');
    const env = { TRIBUTARY_TEST_SASL_PASSWORD: s.users.alice, TRIBUTARY_KAFKA_LOG: 'info' };
    const id = uniqueName('sec');
    const t = { input: `${id}-in`, output: `${id}-agg`, late: `${id}-late`, app: `${id}-app` };
    const { bootstrap, security } = secureConnection('SASL_SSL');
    const client = createKafkaClient({ bootstrapServers: bootstrap, clientId: 'secured-cli-test', security });
    const admin = client.admin();
    await admin.connect();
    try {
      const n = 1500;
      const startTime = '2025-01-15T12:00:00Z';
      const p = record(
        'produce',
        await runBin(
          [
            'produce',
            'transactions',
            '--bootstrap-servers',
            bootstrap,
            '--client-config',
            config,
            '--topic',
            t.input,
            '--partitions',
            '1',
            '--num-transactions',
            String(n),
            '--seed',
            '5',
            '--start-time',
            startTime,
            '--event-spacing',
            '1s',
            '--late-share',
            '0.05',
            '--malformed-share',
            '0.02',
          ],
          { env },
        ),
      );
      // kafkajs logs a retriable protocol response (e.g. InitProducerId while the transaction
      // coordinator of a fresh broker is still loading) at error level before it retries: not ours.
      const ownErrors = p.stderr
        .split('\n')
        .filter((l) => /error/i.test(l) && !/^\[kafkajs error\] Connection: Response \w+\(key: \d+, version: \d+\)$/.test(l));
      expect(ownErrors).toEqual([]);
      expect(p.code, p.stderr).toBe(0);

      // bootstrap.servers from the properties file (no flag, no KAFKA_BOOTSTRAP_SERVERS).
      const withServers = properties('with-servers.properties', [
        `bootstrap.servers=${bootstrap}`,
        `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="\${env:TRIBUTARY_TEST_SASL_PASSWORD}";`,
        'security.protocol=SASL_SSL',
        'sasl.mechanism=SCRAM-SHA-512',
        `ssl.truststore.location=${s.caFile}`,
      ]);
      const app = startBin(
        [
          'run',
          'topologies/transactions-windowed.ts',
          '--client-config',
          withServers,
          '--window',
          '1 minute',
          '--application-id',
          t.app,
          '--data-dir',
          join(dir, 'data'),
          '--state-dir',
          join(dir, 'state'),
          '--progress-interval',
          '1s',
          '--processes',
          '1',
          '--param',
          'commit-interval=500ms',
          '--param',
          `input-topic=${t.input}`,
          '--param',
          `output-topic=${t.output}`,
          '--param',
          `late-topic=${t.late}`,
        ],
        { env },
      );
      children.push(app);
      const model = pipelineModel(
        generateTransactions(n, { seed: 5, startTime: Date.parse(startTime), spacingMs: 1000, lateShare: 0.05, malformedShare: 0.02, watermarkMs: 600_000 }),
        { partitions: 1, watermarkMs: 600_000, windowMs: 60_000, graceMs: 600_000 },
      );
      const expected = modelWindows(model).length;
      expect(expected).toBeGreaterThan(20);
      const outputCount = async () => (await admin.fetchTopicOffsets(t.output)).reduce((sum, p) => sum + p.high, 0);
      const deadline = Date.now() + 120_000;
      while (!(await committedToEnd(admin, t.app, t.input).catch(() => false)) || (await outputCount().catch(() => 0)) < expected) {
        if (app.child.exitCode !== null) throw new Error(`run exited early:\n${app.stderr()}\n${app.stdout().slice(-3000)}`);
        if (Date.now() > deadline) {
          const committed = await admin.fetchCommittedOffsets(t.app, [t.input]);
          const ends = await admin.fetchTopicOffsets(t.input);
          throw new Error(
            `run did not commit its input (${JSON.stringify(committed)} vs ${JSON.stringify(ends)}; output ${await outputCount()} of ${expected}):\n${app.stdout().slice(-1000)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      app.child.kill('SIGINT');
      const r = record('run', await app.exited);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('"event":"stopped"');
      const out = (await readWholeTopic(client, admin, t.output)).map((x) => JSON.parse(x.value!.toString()) as AggregateRow);
      checkWindows(out as unknown as Record<string, unknown>[], model);

      const reset = record(
        'reset',
        await runBin(['reset', t.app, '--bootstrap-servers', bootstrap, '--client-config', config, '--state-dir', join(dir, 'state'), '--dry-run'], { env }),
      );
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toContain(`delete group        ${t.app}`);
    } finally {
      await admin.deleteTopics(Object.values(t).filter((x) => x !== t.app)).catch(() => undefined);
      await admin.disconnect();
    }
  }, 200_000);

  it('each misconfiguration fails fast with a message naming the broker, the protocol and what to check', async () => {
    const s = secureBroker();
    const plain = realBootstrapServers();
    const env = { TRIBUTARY_TEST_SASL_PASSWORD: WRONG };
    const topic = uniqueName('sec-fail');
    const scram = (extra: readonly string[] = [], mechanism = 'SCRAM-SHA-512') => [
      'security.protocol=SASL_SSL',
      `sasl.mechanism=${mechanism}`,
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${env:TRIBUTARY_TEST_SASL_PASSWORD}";',
      ...extra,
    ];
    const cases: { name: string; args: string[]; code: number; message: RegExp }[] = [
      {
        name: 'wrong password',
        args: produceArgs(topic, writeClientProperties(dir, 'SASL_SSL'), ['--bootstrap-servers', s.saslSslBootstrap]),
        code: 1,
        message: new RegExp(
          `Authentication failed at ${s.saslSslBootstrap} over SASL_SSL \\(SCRAM-SHA-512, user 'alice'\\).*invalid credentials.*Check the username and password`,
        ),
      },
      {
        name: 'unknown mechanism',
        args: produceArgs(topic, properties('mech.properties', scram([`ssl.truststore.location=${s.caFile}`], 'SCRAM-SHA-1')), [
          '--bootstrap-servers',
          s.saslSslBootstrap,
        ]),
        code: 2,
        message: /sasl.mechanism: unsupported mechanism 'SCRAM-SHA-1'; use one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER/,
      },
      {
        name: 'untrusted certificate (no trust store: Node roots)',
        args: produceArgs(topic, properties('untrusted.properties', scram()), ['--bootstrap-servers', s.saslSslBootstrap]),
        code: 1,
        message: new RegExp(
          `broker at ${s.saslSslBootstrap} over SASL_SSL .*certificate is not trusted \\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\\). Check: .*ssl.truststore.location`,
        ),
      },
      {
        name: 'host name not in the certificate',
        args: produceArgs(topic, properties('host.properties', scram([`ssl.truststore.location=${s.caFile}`])), [
          '--bootstrap-servers',
          s.saslSslBootstrap.replace('127.0.0.1', 'localhost'),
        ]),
        code: 1,
        message:
          /broker at localhost:\d+ over SASL_SSL .*does not name the host 'localhost' \(ERR_TLS_CERT_ALTNAME_INVALID\). Check: .*ssl.endpoint.identification.algorithm/,
      },
      {
        name: 'mutual TLS without a client certificate',
        args: produceArgs(topic, properties('no-cert.properties', ['security.protocol=SSL', `ssl.truststore.location=${s.caFile}`]), [
          '--bootstrap-servers',
          s.sslBootstrap,
        ]),
        code: 1,
        message: new RegExp(
          `broker at ${s.sslBootstrap} over SSL: the broker refused the TLS handshake .*client certificate.*Check: set ssl.keystore.location`,
        ),
      },
      {
        name: 'TLS to a plaintext port',
        args: produceArgs(topic, properties('tls-plain.properties', scram([`ssl.truststore.location=${s.caFile}`])), ['--bootstrap-servers', plain]),
        code: 1,
        message: new RegExp(
          `broker at ${plain} over SASL_SSL .*closed the connection during the TLS handshake. Check: this port looks like a PLAINTEXT or SASL_PLAINTEXT listener`,
        ),
      },
      {
        name: 'plaintext to a TLS port',
        args: produceArgs(topic, undefined, ['--bootstrap-servers', s.saslSslBootstrap]),
        code: 1,
        message: new RegExp(
          `broker at ${s.saslSslBootstrap} over PLAINTEXT: the broker answered with a TLS alert. Check: this port is a TLS listener: set security.protocol=SSL or SASL_SSL`,
        ),
      },
      {
        name: 'unreachable broker',
        args: produceArgs(topic, writeClientProperties(dir, 'SASL_SSL'), ['--bootstrap-servers', `127.0.0.1:${await closedPort()}`, '--connect-timeout', '4s']),
        code: 1,
        message: /Cannot reach a Kafka broker at 127.0.0.1:\d+ \(127.0.0.1:\d+: connection refused/,
      },
    ];
    // Two at a time: each is a Node process starting tsx, and the machine is small.
    for (let i = 0; i < cases.length; i += 2) {
      await Promise.all(
        cases.slice(i, i + 2).map(async (c) => {
          const r = record(c.name, await runBin(c.args, { env }));
          expect(r.code, `${c.name}: ${r.stderr}`).toBe(c.code);
          expect(r.stderr, c.name).toMatch(c.message);
          expect(r.stderr, c.name).not.toMatch(/\n\s+at /); // no stack trace
          expect(r.ms, `${c.name}: ${r.ms} ms`).toBeLessThan(20_000); // within the connect timeout (15 s) plus start-up
        }),
      );
    }

    // The app itself (`run`) with the wrong password: fails at connect, not after retrying for minutes.
    const run = record(
      'run wrong password',
      await runBin(
        [
          'run',
          'topologies/transactions-windowed.ts',
          '--client-config',
          writeClientProperties(dir, 'SASL_SSL'),
          '--bootstrap-servers',
          s.saslSslBootstrap,
          '--application-id',
          uniqueName('sec-run'),
          '--state-dir',
          join(dir, 'state2'),
          ...CONNECT,
        ],
        { env: { ...env, TRIBUTARY_KAFKA_LOG: 'debug' } },
      ),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Authentication failed at .* over SASL_SSL \(SCRAM-SHA-512, user 'alice'\)/);
  }, 120_000);

  it('an expired broker certificate fails at connect with a message saying it expired, naming the broker and the protocol', async () => {
    const s = secureBroker();
    // A certificate for 127.0.0.1 signed by the test broker's CA (trusted by the client) that was
    // valid for one day in 2020, made now with openssl, served by a TLS endpoint: the handshake,
    // where a certificate is judged, fails before any Kafka byte is exchanged.
    const endpoint = await expiredTlsEndpoint(s.caFile, join(dir, 'expired'));
    try {
      const config = properties('expired.properties', [
        'security.protocol=SASL_SSL',
        'sasl.mechanism=SCRAM-SHA-512',
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${env:TRIBUTARY_TEST_SASL_PASSWORD}";',
        `ssl.truststore.location=${s.caFile}`,
      ]);
      const r = record(
        'expired certificate',
        await runBin(produceArgs(uniqueName('sec-expired'), config, ['--bootstrap-servers', endpoint.bootstrap]), {
          env: { TRIBUTARY_TEST_SASL_PASSWORD: WRONG },
        }),
      );
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `broker at ${endpoint.bootstrap} over SASL_SSL .*: the broker.s certificate has expired \\(CERT_HAS_EXPIRED\\)\\. Check: the broker needs a renewed certificate`,
        ),
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.ms, `${r.ms} ms`).toBeLessThan(20_000);
    } finally {
      await endpoint.close();
    }
  }, 60_000);

  it('no password, key or token appears in any output of the runs above', () => {
    const s = secureBroker();
    expect(outputs.length).toBeGreaterThanOrEqual(12);
    for (const o of outputs) {
      for (const secret of [WRONG, s.users.alice, 'BEGIN PRIVATE KEY']) expect(o.text, o.what).not.toContain(secret);
    }
  });
});
