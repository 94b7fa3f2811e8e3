import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../lib/cli/main.js';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import type { Admin } from '../../../lib/kafka/types.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { captureContext } from '../../unit/cli/capture.js';

describe('tributary reset (real broker)', () => {
  let servers: string;
  let admin: Admin;
  let stateBase: string;

  beforeAll(async () => {
    servers = realBootstrapServers();
    admin = createKafkaClient({ bootstrapServers: servers }).admin();
    await admin.connect();
    stateBase = mkdtempSync(join(tmpdir(), 'tributary-reset-test-'));
  });

  afterAll(async () => {
    await admin.disconnect();
    rmSync(stateBase, { recursive: true, force: true });
  });

  /** An application with internal topics, a DLQ, committed offsets and local state; plus neighbours. */
  async function setUpApplication() {
    const app = uniqueName('reset-app');
    const input = `${app}-input`;
    const mine = [`${app}-KSTREAM-AGGREGATE-STATE-STORE-0000000002-changelog`, `${app}-KSTREAM-KEY-SELECT-0000000003-repartition`, `${app}-dlq`];
    const others = [input, `${app}-output`, `${app}-2-store-changelog`, `${uniqueName('reset-other')}-store-changelog`];
    await admin.createTopics([...mine, ...others].map((topic) => ({ topic, numPartitions: 2 })));
    const consumer = createKafkaClient({ bootstrapServers: servers }).consumer({ groupId: app });
    await consumer.connect();
    await consumer.assign([
      { topic: input, partition: 0 },
      { topic: input, partition: 1 },
    ]);
    await consumer.commitOffsets([
      { topic: input, partition: 0, offset: 0 },
      { topic: input, partition: 1, offset: 0 },
    ]);
    await consumer.close();
    const stateDir = join(stateBase, app);
    mkdirSync(join(stateDir, '0_0'), { recursive: true });
    writeFileSync(join(stateDir, '0_0', '.checkpoint'), '0\n');
    return { app, input, mine, others, stateDir };
  }

  it("deletes exactly the application's internal topics, DLQ, committed offsets and state dir", async () => {
    const { app, input, mine, others, stateDir } = await setUpApplication();
    expect(await admin.fetchCommittedOffsets(app, [input])).toHaveLength(2);

    const ctx = captureContext();
    const code = await runCli(['reset', app, '--bootstrap-servers', servers, '--state-dir', stateBase, '--keep-application', `${app}-2`, '--yes'], ctx);
    expect(ctx.err()).toBe('');
    expect(code).toBe(0);
    for (const topic of mine) expect(ctx.out()).toContain(`delete topic        ${topic}`);
    expect(ctx.out()).toContain(`delete group        ${app} (committed offsets on 2 partition(s) of ${input})`);
    expect(ctx.out()).toContain('delete state dir');
    expect(ctx.out()).toContain(`keep topic          ${app}-2-store-changelog`);

    const after = new Set(await waitForTopics(admin, (t) => !mine.some((m) => t.has(m))));
    for (const topic of mine) expect(after.has(topic)).toBe(false);
    for (const topic of others) expect(after.has(topic)).toBe(true);
    expect(await admin.fetchCommittedOffsets(app, [input])).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);
    await admin.deleteTopics(others);
  });

  it('deletes nothing without confirmation: refuses when not interactive, stops when the answer is no', async () => {
    const { app, mine, others, stateDir } = await setUpApplication();
    const unattended = captureContext();
    expect(await runCli(['reset', app, '--bootstrap-servers', servers, '--state-dir', stateBase], unattended)).toBe(2);
    expect(unattended.err()).toContain('Pass --yes to confirm');

    const questions: string[] = [];
    const declined = captureContext({
      confirm: async (q) => {
        questions.push(q);
        return false;
      },
    });
    expect(await runCli(['reset', app, '--bootstrap-servers', servers, '--state-dir', stateBase], declined)).toBe(1);
    expect(questions).toHaveLength(1);
    expect(declined.err()).toContain('nothing was deleted');

    const dry = captureContext();
    expect(await runCli(['reset', app, '--bootstrap-servers', servers, '--state-dir', stateBase, '--dry-run'], dry)).toBe(0);
    expect(dry.out()).toContain('Dry run: nothing deleted.');

    const topics = new Set(await admin.listTopics());
    for (const topic of [...mine, ...others]) expect(topics.has(topic)).toBe(true);
    expect(existsSync(stateDir)).toBe(true);
    await admin.deleteTopics([...mine, ...others]);
  });
});

/** Topic deletion is asynchronous on the broker: poll the listing until `done` holds. */
async function waitForTopics(admin: Admin, done: (topics: Set<string>) => boolean): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const topics = await admin.listTopics();
    if (done(new Set(topics)) || Date.now() > deadline) return topics;
    await new Promise((r) => setTimeout(r, 200));
  }
}
