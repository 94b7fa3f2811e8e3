/**
 * ACLs of an exactly-once application, on the test broker's KRaft StandardAuthorizer: the principal
 * `limited` (SCRAM-SHA-512 over SASL_SSL) holds exactly the ACLs docs/operations.md lists, and an
 * EOS windowed aggregation over a repartition topic (changelog, repartition, dead-letter topic,
 * one transactional producer per task) runs to the model. Then, for each ACL, an app whose
 * principal lacks just that one fails at start with a `KAFKA_AUTHORIZATION` error naming what is
 * missing — not a hang, not a retry loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../lib/kafka/kafkajs/aborted-filter.js';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes, type AclEntry } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TributaryApp } from '../../../lib/app/index.js';
import { readWholeTopic } from '../../../lib/cli/demo/topic-reader.js';
import { TributaryError } from '../../../lib/errors.js';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import type { Admin, KafkaClient } from '../../../lib/kafka/types.js';
import { buildChaosTopology, chaosBase, PARTITIONS, referenceModel } from '../../chaos/workload.js';
import { produceInput } from '../../chaos/chaos.js';
import { realBootstrapServers, secureConnection, uniqueName } from '../../helpers/kafka-env.js';

const PRINCIPAL = 'User:limited';
const RECORDS = 3_000;

/** The ACLs docs/operations.md lists for an exactly-once application (keep both in step). */
export function applicationAcls(
  principal: string,
  applicationId: string,
  inputs: readonly string[],
  outputs: readonly string[],
): (AclEntry & { why: string })[] {
  const allow = (resourceType: AclResourceTypes, resourceName: string, pattern: ResourcePatternTypes, operation: AclOperationTypes, why: string) => ({
    resourceType,
    resourceName,
    resourcePatternType: pattern,
    principal,
    host: '*',
    operation,
    permissionType: AclPermissionTypes.ALLOW,
    why,
  });
  const { TOPIC, GROUP, TRANSACTIONAL_ID } = AclResourceTypes;
  const { LITERAL, PREFIXED } = ResourcePatternTypes;
  const { READ, WRITE, CREATE } = AclOperationTypes;
  return [
    ...inputs.map((t) => allow(TOPIC, t, LITERAL, READ, `READ on input topic ${t}`)),
    ...outputs.map((t) => allow(TOPIC, t, LITERAL, WRITE, `WRITE on output topic ${t}`)),
    allow(TOPIC, `${applicationId}-`, PREFIXED, CREATE, 'CREATE on topics prefixed <application.id>- (internal topics, dead-letter topic)'),
    allow(TOPIC, `${applicationId}-`, PREFIXED, READ, 'READ on topics prefixed <application.id>-'),
    allow(TOPIC, `${applicationId}-`, PREFIXED, WRITE, 'WRITE on topics prefixed <application.id>-'),
    allow(GROUP, applicationId, LITERAL, READ, 'READ on group <application.id>'),
    allow(TRANSACTIONAL_ID, `${applicationId}-`, PREFIXED, WRITE, 'WRITE on transactional ids prefixed <application.id>-'),
  ];
}

const dirs: string[] = [];
let superClient: KafkaClient;
let superAdmin: Admin;
let aclAdmin: ReturnType<Kafka['admin']>;
const granted: AclEntry[] = [];

beforeAll(async () => {
  superClient = createKafkaClient({ bootstrapServers: realBootstrapServers(), clientId: 'acl-test-super' });
  superAdmin = superClient.admin();
  await superAdmin.connect();
  aclAdmin = new Kafka({ brokers: realBootstrapServers().split(','), clientId: 'acl-test', logLevel: logLevel.NOTHING }).admin();
  await aclAdmin.connect();
});

afterAll(async () => {
  if (granted.length) {
    await aclAdmin
      .deleteAcls({
        filters: granted.map(({ resourceType, resourceName, resourcePatternType, principal, host, operation, permissionType }) => ({
          resourceType,
          resourceName,
          resourcePatternType,
          principal,
          host,
          operation,
          permissionType,
        })),
      })
      .catch(() => undefined);
  }
  await aclAdmin?.disconnect();
  await superAdmin?.disconnect();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function grant(acls: readonly (AclEntry & { why?: string })[]): Promise<AclEntry[]> {
  const plain = acls.map(({ why: _why, ...acl }) => acl);
  await aclAdmin.createAcls({ acl: plain });
  granted.push(...plain);
  // ACLs propagate through the metadata log; give the broker a moment to apply them.
  await new Promise((r) => setTimeout(r, 1_000));
  return plain;
}

async function revoke(acls: readonly AclEntry[]): Promise<void> {
  await aclAdmin.deleteAcls({
    filters: acls.map(({ resourceType, resourceName, resourcePatternType, principal, host, operation, permissionType }) => ({
      resourceType,
      resourceName,
      resourcePatternType,
      principal,
      host,
      operation,
      permissionType,
    })),
  });
  for (const a of acls) granted.splice(granted.indexOf(a), 1);
  await new Promise((r) => setTimeout(r, 1_000));
}

function limitedApp(applicationId: string, input: string, output: string, onError: (e: unknown) => void = () => {}): TributaryApp {
  const { bootstrap, security } = secureConnection('SASL_SSL', 'limited');
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-acl-'));
  dirs.push(stateDir);
  return new TributaryApp(buildChaosTopology(input, output), {
    applicationId,
    bootstrapServers: bootstrap,
    security,
    stateDir,
    commitIntervalMs: 100,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    recoveryTimeoutMs: 15_000,
    uncaughtExceptionHandler: (e) => {
      onError(e);
      return 'SHUTDOWN_CLIENT';
    },
    logger: (level, message) => {
      if (process.env['ACL_VERBOSE'] && level !== 'debug') process.stderr.write(`[acl-app ${applicationId}] ${level}: ${message}\n`);
    },
  });
}

async function committedToEnd(group: string, topic: string): Promise<boolean> {
  const committed = new Map((await superAdmin.fetchCommittedOffsets(group, [topic])).map((c) => [c.partition, c.offset]));
  return (await superAdmin.fetchTopicOffsets(topic)).every((p) => committed.get(p.partition) === p.high);
}

async function topics(prefix: string): Promise<{ input: string; output: string; base: number }> {
  const input = `${prefix}-in`;
  const output = `${prefix}-out`;
  await superAdmin.createTopics([
    { topic: input, numPartitions: PARTITIONS },
    { topic: output, numPartitions: PARTITIONS },
  ]);
  const base = chaosBase(RECORDS);
  await produceInput(superClient, input, RECORDS, 0, base);
  return { input, output, base };
}

describe('ACLs of an exactly-once application (StandardAuthorizer, SASL_SSL principal User:limited)', () => {
  it('with exactly the documented ACLs, an EOS windowed app with a repartition topic runs to the model', async () => {
    const id = uniqueName('acl-ok');
    const { input, output, base } = await topics(id);
    const applicationId = `${id}-app`;
    await grant(applicationAcls(PRINCIPAL, applicationId, [input], [output]));
    const app = limitedApp(applicationId, input, output);
    try {
      await app.start();
      const deadline = Date.now() + 90_000;
      const failed = app.done().then(
        () => 'stopped',
        (e: unknown) => `failed: ${String(e)}`,
      );
      let outcome: string | undefined;
      void failed.then((o) => (outcome = o));
      while (!(await committedToEnd(applicationId, input))) {
        if (outcome !== undefined) throw new Error(`the app ${outcome}`);
        if (Date.now() > deadline) throw new Error('the app did not commit its input');
        await new Promise((r) => setTimeout(r, 500));
      }
      // Then every window's last committed update (read_committed) reaches the model.
      const model = referenceModel(RECORDS, base);
      for (;;) {
        const last = new Map<string, string>();
        for (const r of await readWholeTopic(superClient, superAdmin, output)) last.set(r.key!.toString('hex'), r.value!.toString());
        const counts = [...last.values()].map((v) => (JSON.parse(v) as { c: number }).c).reduce((x, y) => x + y, 0);
        if (last.size === model.size && counts === RECORDS) break;
        if (outcome !== undefined) throw new Error(`the app ${outcome}`);
        if (Date.now() > deadline) throw new Error(`output has ${last.size} of ${model.size} windows, ${counts} of ${RECORDS} records`);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    } finally {
      await app.close();
    }
  }, 150_000);
  it('without any one of them, the app fails at start with an authorization error naming the ACL type', async () => {
    const id = uniqueName('acl-miss');
    const { input, output } = await topics(id);
    const all = (applicationId: string) => applicationAcls(PRINCIPAL, applicationId, [input], [output]);
    const n = all('x').length;
    const results: { why: string; message: string }[] = [];
    for (let i = 0; i < n; i++) {
      const applicationId = `${id}-app${i}`;
      const acls = all(applicationId);
      const missing = acls[i]!;
      // Some ACLs are needed only once records flow (output WRITE): the app's done() reports those.
      const given = await grant(acls.filter((_, j) => j !== i));
      let error: unknown;
      const app = limitedApp(applicationId, input, output, (e) => (error ??= e));
      const t0 = Date.now();
      try {
        await app.start();
        const ended = await Promise.race([
          app.done().then(
            (state) => `ended in state ${state}`,
            (e: unknown) => e,
          ),
          new Promise((r) => setTimeout(() => r('still running after 60 s'), 60_000)),
        ]);
        error ??= ended;
      } catch (e) {
        error = e;
      } finally {
        await app.close().catch(() => undefined);
        await revoke(given); // the input and output topics are shared by the iterations
      }
      const message = error instanceof Error ? error.message : String(error);
      results.push({ why: missing.why, message: message.slice(0, 300) });
      expect(error, `${missing.why}: ${message}`).toBeInstanceOf(TributaryError);
      expect(message, missing.why).toMatch(
        /AUTHORIZATION_FAILED|lacks an ACL|may not READ or DESCRIBE|without (READ on the group|WRITE on the transactional id)/,
      );
      expect(Date.now() - t0, missing.why).toBeLessThan(60_000);
    }
    process.stderr.write(`[acls] ${JSON.stringify(results, null, 1)}\n`);
  }, 600_000);
});
