/**
 * Issue #19, reproduction 3: a damaged store is never trusted. Count store, clean close, damage
 * the local state one way, restart: the task must ignore the checkpoint for the damaged store,
 * wipe it and restore it from its changelog — every count equals the model (4, not 1 or
 * missing), under both guarantees — and log why. Damage: the store directory deleted (keeping
 * `.checkpoint`), emptied, LevelDB's log truncated, MANIFEST corrupted, `.checkpoint` corrupted,
 * and the store replaced by an older copy of itself.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, StreamsBuilder } from '../../../lib/dsl/index.js';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import { ManualClock } from '../../../lib/runtime/clock.js';
import type { ProcessingGuarantee, RuntimeLogLevel } from '../../../lib/runtime/config.js';
import { StreamsRuntime } from '../../../lib/runtime/streams-runtime.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { KeyValueStore } from '../../../lib/state/types.js';
import { outgoingBatch } from '../../../lib/kafka/columns.js';

const str = Serdes.string();
const KEYS = ['a', 'b', 'c', 'd', 'e'];

function topology() {
  const b = new StreamsBuilder();
  b.stream('events', Consumed.with(str, str)).groupByKey().count(Materialized.as<string, number>('counts'));
  return b.build();
}

async function produce(kafka: EmbeddedKafka, keys: readonly string[]): Promise<void> {
  const p = kafka.producer();
  await p.connect();
  await p.send(outgoingBatch(keys.map((k, i) => ({ topic: 'events', key: Buffer.from(k), value: Buffer.from('x'), timestamp: i }))));
  await p.disconnect();
}

interface Run {
  readonly rt: StreamsRuntime;
  readonly logs: Array<[RuntimeLogLevel, string]>;
}

async function run(kafka: EmbeddedKafka, stateDir: string, guarantee: ProcessingGuarantee): Promise<Run> {
  const logs: Array<[RuntimeLogLevel, string]> = [];
  const clock = new ManualClock(0);
  const rt = new StreamsRuntime({
    topology: topology(),
    client: kafka,
    config: { applicationId: 'dmg', processingGuarantee: guarantee, stateDir, clock, logger: (level, message) => logs.push([level, message]) },
  });
  await rt.start({ loop: false });
  while (rt.tasks().length === 0) await rt.runOnce(5);
  for (let i = 0; i < 3; i++) await rt.runOnce(0);
  await rt.commit();
  return { rt, logs };
}

function counts(rt: StreamsRuntime): Record<string, number | undefined> {
  const store = rt.tasks()[0]!.stores.get('counts') as KeyValueStore<string, { value: number }>;
  return Object.fromEntries(KEYS.map((k) => [k, store.get(k)?.value]));
}

type Damage = (storeDir: string, taskDir: string, older: string) => void;

const files = (dir: string, suffix: string) => readdirSync(dir).filter((f) => f.endsWith(suffix) || f.startsWith(suffix));

const DAMAGES: Record<string, Damage> = {
  'store directory deleted (.checkpoint kept)': (storeDir) => rmSync(storeDir, { recursive: true }),
  'store directory emptied': (storeDir) => {
    for (const f of readdirSync(storeDir)) rmSync(join(storeDir, f), { recursive: true });
  },
  'LevelDB log truncated': (storeDir) => {
    const logs = files(storeDir, '.log').filter((f) => f !== 'LOG' && statSync(join(storeDir, f)).size > 0);
    expect(logs.length).toBeGreaterThan(0);
    for (const f of logs) truncateSync(join(storeDir, f), Math.floor(statSync(join(storeDir, f)).size / 2));
  },
  'MANIFEST corrupted': (storeDir) => {
    const manifests = files(storeDir, 'MANIFEST-');
    expect(manifests.length).toBeGreaterThan(0);
    for (const f of manifests) writeFileSync(join(storeDir, f), Buffer.alloc(statSync(join(storeDir, f)).size, 0x5a));
  },
  '.checkpoint corrupted': (_storeDir, taskDir) => writeFileSync(join(taskDir, '.checkpoint'), '{"version":2,"offsets":[{"topic":'),
  'store replaced by an older copy': (storeDir, _taskDir, older) => {
    rmSync(storeDir, { recursive: true });
    cpSync(older, storeDir, { recursive: true });
  },
};

describe.each(['exactly_once', 'at_least_once'] as const)('damaged stores are not trusted (#19 reproduction 3), %s', (guarantee) => {
  it.each(Object.keys(DAMAGES))('%s: the store is wiped and restored from its changelog; counts equal the model', async (damage) => {
    const kafka = new EmbeddedKafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic: 'events', numPartitions: 1 }]);
    const stateDir = mkdtempSync(join(tmpdir(), 'tributary-dmg-'));
    const taskDir = join(stateDir, 'dmg', '0_0');
    const storeDir = join(taskDir, 'counts');
    const older = join(stateDir, 'older-counts');
    try {
      // Two runs of 2 records per key: the older copy of the store holds counts of 2.
      await produce(kafka, [...KEYS, ...KEYS]);
      const first = await run(kafka, stateDir, guarantee);
      expect(counts(first.rt)).toEqual({ a: 2, b: 2, c: 2, d: 2, e: 2 });
      await first.rt.close();
      cpSync(storeDir, older, { recursive: true });
      await produce(kafka, [...KEYS, ...KEYS]);
      const second = await run(kafka, stateDir, guarantee);
      expect(counts(second.rt)).toEqual({ a: 4, b: 4, c: 4, d: 4, e: 4 });
      await second.rt.close();
      expect(existsSync(join(taskDir, '.checkpoint'))).toBe(true);

      DAMAGES[damage]!(storeDir, taskDir, older);

      const third = await run(kafka, stateDir, guarantee);
      expect(counts(third.rt)).toEqual({ a: 4, b: 4, c: 4, d: 4, e: 4 });
      const warned = third.logs.filter(([level]) => level === 'warn').map(([, m]) => m);
      expect(warned.join('\n')).toMatch(
        /task 0_0: (store counts at .* (does not hold the checkpoint's marker|holds marker .* the checkpoint expects)|store counts cannot be opened at .*|corrupt checkpoint file .*wiped the task's state)/,
      );
      // And it keeps counting from there.
      await produce(kafka, ['a']);
      for (let i = 0; i < 3; i++) await third.rt.runOnce(0);
      expect(counts(third.rt).a).toBe(5);
      await third.rt.close();
    } finally {
      await admin.disconnect();
      await kafka.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('an undamaged store is trusted: the clean restart restores nothing', async () => {
    const kafka = new EmbeddedKafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic: 'events', numPartitions: 1 }]);
    const stateDir = mkdtempSync(join(tmpdir(), 'tributary-dmg-'));
    try {
      await produce(kafka, [...KEYS, ...KEYS]);
      const first = await run(kafka, stateDir, guarantee);
      await first.rt.close();
      const second = await run(kafka, stateDir, guarantee);
      expect(counts(second.rt)).toEqual({ a: 2, b: 2, c: 2, d: 2, e: 2 });
      expect(second.logs.filter(([level]) => level === 'warn')).toEqual([]);
      await second.rt.close();
    } finally {
      await admin.disconnect();
      await kafka.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
