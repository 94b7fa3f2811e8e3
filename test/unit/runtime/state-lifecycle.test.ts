import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, StreamsBuilder } from '../../../lib/dsl/index.js';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import { ManualClock } from '../../../lib/runtime/clock.js';
import { StreamsRuntime } from '../../../lib/runtime/streams-runtime.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { KeyValueStore } from '../../../lib/state/types.js';
import { outgoingBatch } from '../../../lib/kafka/columns.js';

const str = Serdes.string();

function topology(storeType: 'persistent' | 'in-memory' = 'persistent') {
  const b = new StreamsBuilder();
  b.stream('events', Consumed.with(str, str)).groupByKey().count(Materialized.as<string, number>('counts').withStoreType(storeType));
  return b.build();
}

async function run(kafka: EmbeddedKafka, stateDir: string, storeType: 'persistent' | 'in-memory' = 'persistent') {
  const clock = new ManualClock(0);
  const rt = new StreamsRuntime({
    topology: topology(storeType),
    client: kafka,
    config: { applicationId: 'life', processingGuarantee: 'exactly_once', stateDir, clock },
  });
  await rt.start({ loop: false });
  while (rt.tasks().length === 0) await rt.runOnce(5);
  return { rt, clock };
}

/** An embedded broker with the input topic, its connected admin, and a fresh state directory. */
async function setUp(dirPrefix: string) {
  const kafka = new EmbeddedKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([{ topic: 'events', numPartitions: 1 }]);
  return { kafka, admin, stateDir: mkdtempSync(join(tmpdir(), dirPrefix)) };
}

async function produce(kafka: EmbeddedKafka, keys: string[]) {
  const p = kafka.producer();
  await p.connect();
  await p.send(outgoingBatch(keys.map((k, i) => ({ topic: 'events', key: Buffer.from(k), value: Buffer.from('x'), timestamp: i }))));
  await p.disconnect();
}

describe('task state lifecycle under exactly-once', () => {
  it('writes a checkpoint on clean close; the next run restores nothing and keeps counting', async () => {
    const { kafka, admin, stateDir } = await setUp('tributary-life-');
    await produce(kafka, ['a', 'b', 'a']);
    const first = await run(kafka, stateDir);
    await first.rt.runOnce(0);
    await first.rt.close();
    const checkpoint = join(stateDir, 'life', '0_0', '.checkpoint');
    expect(existsSync(checkpoint)).toBe(true);
    const entries = (JSON.parse(readFileSync(checkpoint, 'utf8')) as { offsets: Array<{ topic: string; offset: number }> }).offsets;
    expect(entries.map((e) => e.topic)).toEqual(['life-counts-changelog']);
    const changelogEnd = (await admin.fetchTopicOffsets('life-counts-changelog'))[0]!.high;
    expect(entries[0]!.offset).toBe(changelogEnd);

    await produce(kafka, ['a']);
    const second = await run(kafka, stateDir);
    expect(existsSync(checkpoint)).toBe(false); // consumed at open: a crash from here on means wipe + restore
    await second.rt.runOnce(0);
    second.clock.advance(100);
    await second.rt.runOnce(0);
    const store = second.rt.tasks()[0]!.stores.get('counts') as KeyValueStore<string, { value: number }>;
    expect(store.get('a')?.value).toBe(3);
    expect(store.get('b')?.value).toBe(1);
    await second.rt.close();
    await admin.disconnect();
    await kafka.close();
  });

  it('an in-memory store replays its whole changelog after a clean close, whatever the checkpoint says', async () => {
    const { kafka, admin, stateDir } = await setUp('tributary-life-mem-');
    await produce(kafka, ['a', 'b', 'a']);
    const first = await run(kafka, stateDir, 'in-memory');
    await first.rt.runOnce(0);
    await first.rt.close();
    expect(existsSync(join(stateDir, 'life', '0_0', '.checkpoint'))).toBe(true);

    await produce(kafka, ['a']);
    const second = await run(kafka, stateDir, 'in-memory');
    await second.rt.runOnce(0);
    second.clock.advance(100);
    await second.rt.runOnce(0);
    const store = second.rt.tasks()[0]!.stores.get('counts') as KeyValueStore<string, { value: number }>;
    expect(store.get('a')?.value).toBe(3);
    expect(store.get('b')?.value).toBe(1);
    await second.rt.close();
    await admin.disconnect();
    await kafka.close();
  });

  it('after a crash (no checkpoint) the local state is wiped and restored from the committed changelog only', async () => {
    const { kafka, admin, stateDir } = await setUp('tributary-crash-');
    await produce(kafka, ['a', 'a']);
    const first = await run(kafka, stateDir);
    await first.rt.runOnce(0);
    first.clock.advance(100);
    await first.rt.runOnce(0); // committed: a=2
    await produce(kafka, ['a', 'c']);
    await first.rt.runOnce(0); // processed, not committed; then the process "dies"
    // Simulate the crash: stores closed as they are (no flush, no checkpoint), clients gone, lock released.
    const task = first.rt.tasks()[0]!;
    await task.close(false);
    const internals = first.rt as unknown as { consumer: { close(): Promise<void> }; stateDirectory: { release(): void } };
    await internals.consumer.close();
    internals.stateDirectory.release();
    // Leftover local state of the crashed instance (no checkpoint): must be wiped, not trusted.
    mkdirSync(join(stateDir, 'life', '0_0', 'counts'), { recursive: true });
    writeFileSync(join(stateDir, 'life', '0_0', 'counts', 'LEFTOVER'), 'stale');
    const second = await run(kafka, stateDir);
    for (let i = 0; i < 3; i++) await second.rt.runOnce(0);
    second.clock.advance(100);
    await second.rt.runOnce(0);
    const store = second.rt.tasks()[0]!.stores.get('counts') as KeyValueStore<string, { value: number }>;
    expect(store.get('a')?.value).toBe(3);
    expect(store.get('c')?.value).toBe(1);
    expect(existsSync(join(stateDir, 'life', '0_0', 'counts', 'LEFTOVER'))).toBe(false);
    await second.rt.close();
    await admin.disconnect();
    await kafka.close();
  });
});
