/**
 * Final results survive crashes and restarts exactly once: a windowed count with
 * `suppress(untilWindowCloses)` under exactly-once on the embedded broker, crashed after a commit
 * with processed-but-uncommitted records, restarted (wipe + restore), closed cleanly, restarted
 * again (checkpoint: the LevelDB window store is reused, the in-memory suppression buffer is
 * rebuilt from it and from its emitted-through time). The committed output must hold every
 * window of the input exactly once, with its full count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, StreamsBuilder } from '../../../lib/dsl/index.js';
import { BufferConfig, Suppressed } from '../../../lib/dsl/windowed/suppressed.js';
import { TimeWindows } from '../../../lib/dsl/windows/time-windows.js';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import { ManualClock } from '../../../lib/runtime/clock.js';
import { StreamsRuntime } from '../../../lib/runtime/streams-runtime.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { fetchedBatches, outgoingBatch } from '../../../lib/kafka/columns.js';

const str = Serdes.string();
const SIZE = 1000;
const GRACE = 2500; // not a multiple of SIZE: windows closed and emitted can still be live in the store
const windowed = Serdes.timeWindowed(str, SIZE);
const RUNS = Math.max(30, Math.floor(Number(process.env['TRIBUTARY_FC_RUNS'] ?? 1000) / 20));

interface Event {
  readonly key: string;
  readonly ts: number;
}

type Cache = 'default' | 'small' | 'off';

function topology(store: 'persistent' | 'in-memory', cache: Cache) {
  const b = new StreamsBuilder();
  const m = Materialized.as<string, number>('counts').withStoreType(store);
  b.stream('in', Consumed.with(str, str))
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(SIZE, GRACE))
    // A small cache budget makes changed windows reach the store between commits too.
    .count(cache === 'default' ? m : cache === 'small' ? m.withCachingEnabled(800) : m.withCachingDisabled())
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .to('out', Produced.with(windowed, Serdes.int64()));
  return b.build();
}

async function produce(kafka: EmbeddedKafka, events: readonly Event[]): Promise<void> {
  if (events.length === 0) return;
  const p = kafka.producer();
  await p.connect();
  await p.send(outgoingBatch(events.map((e) => ({ topic: 'in', key: Buffer.from(e.key), value: Buffer.from('x'), timestamp: e.ts }))));
  await p.disconnect();
}

async function start(kafka: EmbeddedKafka, stateDir: string, store: 'persistent' | 'in-memory', cache: Cache) {
  const clock = new ManualClock(0);
  const rt = new StreamsRuntime({
    topology: topology(store, cache),
    client: kafka,
    config: { applicationId: 'sup', processingGuarantee: 'exactly_once', stateDir, clock, commitIntervalMs: 100 },
  });
  await rt.start({ loop: false });
  while (rt.tasks().length === 0) await rt.runOnce(5);
  return { rt, clock };
}

/** Runs until a pass processes nothing, then commits. */
async function drain(run: { rt: StreamsRuntime; clock: ManualClock }): Promise<void> {
  const seen = (): number => run.rt.metrics().reduce((n, m) => n + m.recordsIn, 0);
  for (let before = -1; before !== seen(); ) {
    before = seen();
    await run.rt.runOnce(0);
  }
  run.clock.advance(200);
  await run.rt.runOnce(0);
}

async function crash(run: { rt: StreamsRuntime }): Promise<void> {
  await run.rt.runOnce(0); // processed, not committed
  for (const task of run.rt.tasks()) await task.close(false);
  const internals = run.rt as unknown as { consumer: { close(): Promise<void> }; stateDirectory: { release(): void } };
  await internals.consumer.close();
  internals.stateDirectory.release();
}

async function committedOutput(kafka: EmbeddedKafka): Promise<Map<string, number[]>> {
  const c = kafka.consumer({ groupId: `read-${Math.random()}` });
  await c.connect();
  await c.assign([{ topic: 'out', partition: 0 }]);
  const out = new Map<string, number[]>();
  for (let empty = 0; empty < 2; ) {
    const batches = fetchedBatches(await c.poll(20));
    if (batches.every((b) => b.records.length === 0)) empty++;
    for (const b of batches) {
      for (const r of b.records) {
        const w = windowed.deserialize(r.key!, 'out');
        const id = `${w.key}@${w.window.start}`;
        out.set(id, [...(out.get(id) ?? []), Number(Serdes.int64().deserialize(r.value!, 'out'))]);
      }
    }
  }
  await c.close();
  return out;
}

const events = fc.array(
  fc.record({ key: fc.constantFrom('a', 'b', 'c'), step: fc.integer({ min: 0, max: 400 }), behind: fc.integer({ min: 0, max: GRACE - 1 }) }),
  { minLength: 1, maxLength: 60 },
);

describe('suppress(untilWindowCloses) across crashes and restarts under exactly-once', () => {
  it('emits every window exactly once with its full count', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        events,
        fc.nat(),
        fc.nat(),
        fc.constantFrom<'persistent' | 'in-memory'>('persistent', 'in-memory'),
        fc.constantFrom<Cache>('default', 'small', 'off'),
        async (raw, cutA, cutB, store, cache) => {
          // Disorder within grace only: every record counts.
          let t = 10_000;
          const input: Event[] = raw.map((e) => {
            t += e.step;
            return { key: e.key, ts: t - e.behind };
          });
          const a = cutA % (input.length + 1);
          const b = a + (cutB % (input.length - a + 1));
          const expected = new Map<string, number>();
          for (const e of input) {
            const id = `${e.key}@${Math.floor(e.ts / SIZE) * SIZE}`;
            expected.set(id, (expected.get(id) ?? 0) + 1);
          }
          const close1 = t + SIZE + GRACE; // closes every input window
          const close2 = close1 + SIZE + GRACE; // closes the first flush record's window too

          const kafka = new EmbeddedKafka();
          const admin = kafka.admin();
          await admin.connect();
          await admin.createTopics([
            { topic: 'in', numPartitions: 1 },
            { topic: 'out', numPartitions: 1 },
          ]);
          const stateDir = mkdtempSync(join(tmpdir(), 'tributary-sup-restart-'));
          try {
            await produce(kafka, input.slice(0, a));
            const first = await start(kafka, stateDir, store, cache);
            await drain(first);
            await produce(kafka, input.slice(a, b));
            await crash(first);

            await produce(kafka, [...input.slice(b), { key: 'flush', ts: close1 }]);
            const second = await start(kafka, stateDir, store, cache);
            await drain(second);
            await second.rt.close();

            await produce(kafka, [{ key: 'flush', ts: close2 }]);
            const third = await start(kafka, stateDir, store, cache);
            await drain(third);
            await third.rt.close();

            const out = await committedOutput(kafka);
            for (const [id, counts] of out) expect(counts, `window ${id} emitted ${counts.length} times`).toHaveLength(1);
            const got = new Map([...out].filter(([id]) => !id.startsWith('flush@')).map(([id, c]) => [id, c[0]!]));
            expect(got).toEqual(expected);
            expect(out.get(`flush@${Math.floor(close1 / SIZE) * SIZE}`)).toEqual([1]);
          } finally {
            await admin.disconnect();
            await kafka.close();
            rmSync(stateDir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
