/**
 * `tributary run --processes 2` against the real broker: two supervised runner processes of one
 * exactly-once app; one is SIGKILLed mid-stream, the supervisor restarts it, and every input record
 * is in the output exactly once (read_committed). SIGTERM then stops both cleanly (exit 0).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWholeTopic } from '../../../lib/cli/demo/topic-reader.js';
import { outgoingBatch } from '../../../lib/kafka/columns.js';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import type { Admin, Producer } from '../../../lib/kafka/types.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { startBin, type RunningBin } from '../pipeline/bin.js';

const dirs: string[] = [];
let app: RunningBin | undefined;
afterAll(() => {
  if (app?.child.exitCode === null) app.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Event {
  readonly event: string;
  readonly process?: number;
  readonly pid?: number;
  readonly [key: string]: unknown;
}

function events(bin: RunningBin): Event[] {
  return bin
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Event);
}

async function until(what: string, check: () => boolean | Promise<boolean>, bin: RunningBin, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (bin.child.exitCode !== null) throw new Error(`${what}: the supervisor exited early:\n${bin.stderr()}\n${bin.stdout().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${bin.stdout().slice(-3000)}\n${bin.stderr().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function produce(producer: Producer, topic: string, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += 500) {
    const records = [];
    for (let i = start; i < Math.min(to, start + 500); i++) records.push({ topic, key: Buffer.from(`k${i % 97}`), value: Buffer.from(String(i)) });
    await producer.send(outgoingBatch(records));
  }
}

async function committedToEnd(admin: Admin, group: string, topic: string): Promise<boolean> {
  const committed = new Map((await admin.fetchCommittedOffsets(group, [topic])).map((c) => [c.partition, c.offset]));
  return (await admin.fetchTopicOffsets(topic)).every((p) => committed.get(p.partition) === p.high);
}

describe('tributary run --processes (real broker, child processes)', () => {
  it('restarts a SIGKILLed process and the output holds every input record exactly once', async () => {
    const servers = realBootstrapServers();
    const dir = mkdtempSync(join(tmpdir(), 'tributary-processes-'));
    dirs.push(dir);
    const id = uniqueName('procs');
    const input = `${id}-in`;
    const output = `${id}-out`;
    const client = createKafkaClient({ bootstrapServers: servers.split(','), clientId: 'processes-test' });
    const admin = client.admin();
    await admin.connect();
    const producer = client.producer();
    await producer.connect();
    try {
      await admin.createTopics([
        { topic: input, numPartitions: 4 },
        { topic: output, numPartitions: 4 },
      ]);
      await produce(producer, input, 0, 5_000);
      app = startBin([
        'run',
        'test/integration/cli/fixtures/passthrough-eos.ts',
        '--bootstrap-servers',
        servers,
        '--processes',
        '2',
        '--application-id',
        id,
        '--state-dir',
        join(dir, 'state'),
        '--progress-interval',
        '500ms',
        '--param',
        `input-topic=${input}`,
        '--param',
        `output-topic=${output}`,
      ]);
      const bin = app;
      const running = () =>
        new Set(
          events(bin)
            .filter((e) => e.event === 'running')
            .map((e) => e.process),
        );
      await until('both processes to run', () => running().size === 2, bin);

      // Kill process 0 while input keeps arriving.
      const victim = events(bin).find((e) => e.event === 'process-started' && e.process === 0)!.pid!;
      const more = produce(producer, input, 5_000, 30_000);
      await until('process 0 to have processed records', () => events(bin).some((e) => e.event === 'progress' && Number(e['recordsIn']) > 0), bin);
      process.kill(victim, 'SIGKILL');
      await until('process 0 to be restarted', () => events(bin).some((e) => e.event === 'process-started' && e.process === 0 && e.pid !== victim), bin);
      await more;
      expect(events(bin).find((e) => e.event === 'restarting')).toMatchObject({ process: 0, signal: 'SIGKILL', restarts: 1 });
      await until('the restarted process to run', () => events(bin).filter((e) => e.event === 'running' && e.process === 0).length === 2, bin);
      await until('the group to commit all input', () => committedToEnd(admin, id, input), bin, 120_000);

      // One combined progress line: the sum of both processes.
      const progress = events(bin).filter((e) => e.event === 'progress');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.at(-1)).toMatchObject({ processes: 2, restarts: 1 });

      bin.child.kill('SIGTERM');
      const result = await bin.exited;
      expect(result.code, result.stderr).toBe(0);
      const all = events(bin);
      expect(
        all
          .filter((e) => e.event === 'process-exited')
          .map((e) => [e.process, e['code']])
          .sort(),
      ).toEqual([
        [0, 0],
        [1, 0],
      ]);
      expect(all.at(-1)).toMatchObject({ event: 'stopped', processes: 2, restarts: 1 });

      const out = await readWholeTopic(client, admin, output);
      const values = out.map((r) => Number(r.value!.toString())).sort((a, b) => a - b);
      expect(values.length).toBe(30_000);
      expect(values).toEqual(Array.from({ length: 30_000 }, (_, i) => i));
    } finally {
      await producer.disconnect().catch(() => undefined);
      await admin.deleteTopics([input, output]).catch(() => undefined);
      await admin.disconnect();
    }
  }, 240_000);
});
