/**
 * Static membership (`groupInstanceId`, KIP-345) with @platformatic/kafka on a real broker: member
 * A (its own process) is SIGKILLed and restarted with the same instance id within the session
 * timeout; it gets its same partitions back, and member B (in this process) sees no rebalance: its
 * generation and assignment stay as they were. Then the control: a dynamic member doing the same
 * makes B's generation move.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createKafkaClient, platformaticSupported } from '../../../lib/kafka/index.js';
import type { Consumer } from '../../../lib/kafka/types.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/static-member.ts', import.meta.url));
/** Static case: long enough for a restart on a slow machine to fit inside it. */
const SESSION_MS = 20_000;
/**
 * Control case: the rebalance waits for the killed dynamic member's session to expire, so a
 * shorter one (still far above the heartbeat interval) keeps the control quick.
 */
const CONTROL_SESSION_MS = 8_000;

interface Member {
  readonly child: ChildProcess;
  readonly lines: { assignment: number[]; generation: number }[];
  readonly exited: Promise<void>;
}

function startMember(bootstrap: string, topic: string, group: string, instanceId: string | undefined, sessionMs: number): Member {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: {
      ...process.env,
      STATIC_BOOTSTRAP: bootstrap,
      STATIC_TOPIC: topic,
      STATIC_GROUP: group,
      STATIC_SESSION_MS: String(sessionMs),
      ...(instanceId !== undefined ? { STATIC_INSTANCE_ID: instanceId } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Member['lines'] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buf.slice(0, i)) as Member['lines'][number]);
      buf = buf.slice(i + 1);
    }
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return { child, lines, exited };
}

async function pollUntil(consumer: Consumer, done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await consumer.poll(50);
  }
}

async function restartCase(
  instanceIds: {
    a?: string;
    b?: string;
  },
  sessionMs: number,
): Promise<{ before: number[]; after: number[]; genBefore: number; genAfter: number; bBefore: string; bAfter: string }> {
  const bootstrap = realBootstrapServers();
  const client = createKafkaClient({ client: 'platformatic', bootstrapServers: bootstrap, clientId: 'static-test' });
  const admin = client.admin();
  await admin.connect();
  const topic = uniqueName('static-in');
  const group = uniqueName('static-group');
  await admin.createTopics([{ topic, numPartitions: 4 }]);
  const b = client.consumer({
    groupId: group,
    ...(instanceIds.b ? { groupInstanceId: instanceIds.b } : {}),
    sessionTimeoutMs: sessionMs,
    heartbeatIntervalMs: 1_000,
  });
  let a = startMember(bootstrap, topic, group, instanceIds.a, sessionMs);
  const members = [a];
  try {
    await b.connect();
    await b.subscribe([topic]);
    const aHas = (m: Member, n: number) => m.lines.length > 0 && m.lines[m.lines.length - 1]!.assignment.length === n;
    await pollUntil(b, () => b.assignment().length === 2 && aHas(a, 2), 60_000);
    // Let the group settle (no join in flight), then note B's generation and assignment.
    for (const end = Date.now() + 2_000; Date.now() < end; ) await b.poll(50);
    const genBefore = b.groupMetadata().generationId;
    const bBefore = JSON.stringify(
      b
        .assignment()
        .map((tp) => tp.partition)
        .sort(),
    );
    const before = a.lines[a.lines.length - 1]!.assignment;
    a.child.kill('SIGKILL');
    await a.exited;
    a = startMember(bootstrap, topic, group, instanceIds.a, sessionMs);
    members.push(a);
    await pollUntil(b, () => aHas(a, 2), 30_000);
    // Give a rebalance (if any) time to reach B.
    for (const end = Date.now() + 5_000; Date.now() < end; ) await b.poll(50);
    return {
      before,
      after: a.lines[a.lines.length - 1]!.assignment,
      genBefore,
      genAfter: b.groupMetadata().generationId,
      bBefore,
      bAfter: JSON.stringify(
        b
          .assignment()
          .map((tp) => tp.partition)
          .sort(),
      ),
    };
  } finally {
    for (const m of members) m.child.kill('SIGKILL');
    await Promise.all(members.map((m) => m.exited));
    await b.close().catch(() => undefined);
    await admin.disconnect();
  }
}

describe.skipIf(!platformaticSupported())('static membership (platformatic, real broker)', () => {
  it('a runner restarted within the session timeout gets its partitions back without a rebalance', { timeout: 120_000 }, async () => {
    const r = await restartCase({ a: uniqueName('pod-a'), b: uniqueName('pod-b') }, SESSION_MS);
    expect(r.after).toEqual(r.before);
    expect(r.bAfter).toBe(r.bBefore);
    expect(r.genAfter).toBe(r.genBefore);
  });

  it('control: a dynamic member restarting makes the group rebalance', { timeout: 120_000 }, async () => {
    const r = await restartCase({}, CONTROL_SESSION_MS);
    expect(r.genAfter).toBeGreaterThan(r.genBefore);
  });
});
