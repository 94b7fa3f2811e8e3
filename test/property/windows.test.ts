/**
 * Event-time properties: windowed operators against the reference models of lib/testing/reference
 * (plain functions over the whole input). Each property runs `TRIBUTARY_FC_RUNS` cases (default
 * 1000): one fresh TopologyTestDriver per case (in-memory stores; ~2 ms to create).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../lib/dsl/options/consumed.js';
import { Materialized } from '../../lib/dsl/options/materialized.js';
import { Produced } from '../../lib/dsl/options/produced.js';
import { StreamsBuilder } from '../../lib/dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../lib/dsl/windowed/suppressed.js';
import { SessionWindows } from '../../lib/dsl/windows/session-windows.js';
import { SlidingWindows } from '../../lib/dsl/windows/sliding-windows.js';
import { TimeWindows } from '../../lib/dsl/windows/time-windows.js';
import { Serdes } from '../../lib/serde/serdes.js';
import type { Windowed } from '../../lib/state/types.js';
import { eventStream, partitionedChunks } from '../../lib/testing/arbitraries.js';
import { checkTopologyAgainstModel } from '../../lib/testing/reference/check.js';
import { sessionWindowModel, sessionWindowRun } from '../../lib/testing/reference/session-windows.js';
import { slidingWindowModel } from '../../lib/testing/reference/sliding-windows.js';
import { streamTimes, timeWindowModel, watermarkTimes } from '../../lib/testing/reference/time-windows.js';
import { TopologyTestDriver } from '../../lib/testing/topology-test-driver.js';
import { EventTime } from '../../lib/time/event-time.js';

const RUNS = Number(process.env['TRIBUTARY_FC_RUNS'] ?? 1000);
const str = Serdes.string();
const i64 = Serdes.int64();
const sum = (a: number | undefined, v: number): number => (a ?? 0) + v;
const wid = (w: Windowed<string>): string => `${w.key}@${w.window.start}`;
const TIMEOUT = 600_000;

function mat(caching: boolean): Materialized<string, number> {
  const m = Materialized.as<string, number>('agg').withStoreType('in-memory');
  return caching ? m : m.withCachingDisabled();
}

describe('windows: properties against the reference model', () => {
  it('tumbling/hopping: final results equal the model for any arrival order within grace; caching on/off alike', { timeout: TIMEOUT }, async () => {
    const params = fc.record({
      size: fc.integer({ min: 1, max: 5000 }),
      hopDiv: fc.integer({ min: 1, max: 4 }),
      disorder: fc.integer({ min: 0, max: 3000 }),
      extraGrace: fc.integer({ min: 0, max: 2000 }),
      caching: fc.boolean(),
    });
    const cases = params.chain((p) => fc.tuple(fc.constant(p), eventStream({ maxDisorderMs: p.disorder, maxEvents: 40, duplicateFraction: 0.1 })));
    await fc.assert(
      fc.asyncProperty(cases, async ([p, events]) => {
        const advance = Math.max(1, Math.floor(p.size / p.hopDiv));
        const windows = TimeWindows.ofSizeAndGrace(p.size, p.disorder + p.extraGrace).advanceBy(advance);
        const serde = Serdes.timeWindowed(str, p.size);
        const result = await checkTopologyAgainstModel({
          topology: () => {
            const b = new StreamsBuilder();
            b.stream('in', Consumed.with(str, i64))
              .groupByKey()
              .windowedBy(windows)
              .reduce((a, v) => a + v, mat(p.caching))
              .toStream()
              .to('out', Produced.with(serde, i64));
            return b.build();
          },
          input: { topic: 'in', keySerde: str, valueSerde: i64 },
          output: { topic: 'out', keySerde: serde, valueSerde: i64 },
          events,
          keyId: wid,
          model: (evs) =>
            timeWindowModel(evs, { sizeMs: p.size, advanceMs: advance, graceMs: windows.graceMs }, sum).windows.map((w) => ({
              key: { key: w.key, window: { start: w.start, end: w.end } },
              value: w.value,
            })),
        });
        // Timestamps: the last update of each window carries max(record ts) of the window.
        const model = timeWindowModel(events, { sizeMs: p.size, advanceMs: advance, graceMs: windows.graceMs }, sum);
        const last = new Map<string, number>();
        for (const r of result.records) last.set(wid(r.key), r.timestamp);
        for (const w of model.windows) expect(last.get(`${w.key}@${w.start}`)).toBe(w.timestamp);
        expect(result.metrics.reduce((n, m) => n + m.dropped, 0)).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it(
    'suppress(untilWindowCloses): each window once, never before windowEnd + grace <= streamTime; late records never change it and are all counted',
    { timeout: TIMEOUT },
    async () => {
      const params = fc.record({ size: fc.integer({ min: 100, max: 4000 }), grace: fc.integer({ min: 0, max: 2000 }), caching: fc.boolean() });
      const cases = params.chain((p) =>
        fc.tuple(fc.constant(p), eventStream({ maxDisorderMs: p.grace, lateFraction: 0.25, maxEvents: 30, duplicateFraction: 0.05, maxStepMs: 800 })),
      );
      await fc.assert(
        fc.asyncProperty(cases, async ([p, events]) => {
          const serde = Serdes.timeWindowed(str, p.size);
          const spec = { sizeMs: p.size, graceMs: p.grace };
          const lateSeen: number[] = [];
          const maxTs = Math.max(...events.map((e) => e.timestamp));
          const flush = { key: 'zz', value: 0, timestamp: maxTs + p.size + p.grace + 1 };
          const all = [...events, flush];
          const times = streamTimes(all);
          const model = timeWindowModel(all, spec, sum, times);
          const emitted = new Set<string>();
          const result = await checkTopologyAgainstModel({
            topology: () => {
              const b = new StreamsBuilder();
              b.stream('in', Consumed.with(str, i64))
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(p.size, p.grace), { lateRecords: (r) => lateSeen.push(r.timestamp) })
                .reduce((a, v) => a + v, mat(p.caching))
                .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
                .toStream()
                .to('out', Produced.with(serde, i64));
              return b.build();
            },
            input: { topic: 'in', keySerde: str, valueSerde: i64 },
            output: { topic: 'out', keySerde: serde, valueSerde: i64 },
            events: all.map((e) => [e]),
            keyId: wid,
            onOutput: (records, piped) => {
              const now = times[piped.length - 1]!;
              for (const r of records) {
                expect(r.key.window.end + p.grace).toBeLessThanOrEqual(now);
                expect(emitted.has(wid(r.key))).toBe(false);
                emitted.add(wid(r.key));
              }
            },
            model: () =>
              model.windows.filter((w) => w.key !== 'zz').map((w) => ({ key: { key: w.key, window: { start: w.start, end: w.end } }, value: w.value })),
          });
          expect(result.records.length).toBe(model.windows.length - 1);
          expect(lateSeen).toEqual(model.late.map((i) => all[i]!.timestamp));
          expect(result.metrics.reduce((n, m) => n + m.dropped, 0)).toBe(model.late.length);
        }),
        { numRuns: RUNS },
      );
    },
  );

  it('sliding windows match the model (inclusive bounds, right windows only when non-empty)', { timeout: TIMEOUT }, async () => {
    const params = fc.record({ d: fc.integer({ min: 0, max: 3000 }), disorder: fc.integer({ min: 0, max: 3000 }), caching: fc.boolean() });
    const cases = params.chain((p) =>
      fc.tuple(fc.constant(p), eventStream({ maxDisorderMs: p.disorder, maxEvents: 30, maxStepMs: 1500, duplicateFraction: 0.1 })),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ([p, events]) => {
        const serde = Serdes.timeWindowed(str, Math.max(1, p.d));
        await checkTopologyAgainstModel({
          topology: () => {
            const b = new StreamsBuilder();
            b.stream('in', Consumed.with(str, i64))
              .groupByKey()
              .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(p.d, p.disorder))
              .reduce((a, v) => a + v, mat(p.caching))
              .toStream()
              .to('out', Produced.with(serde, i64));
            return b.build();
          },
          input: { topic: 'in', keySerde: str, valueSerde: i64 },
          output: { topic: 'out', keySerde: serde, valueSerde: i64 },
          events,
          keyId: wid,
          model: (evs) => slidingWindowModel(evs, p.d, sum).map((w) => ({ key: { key: w.key, window: { start: w.start, end: w.end } }, value: w.value })),
        });
      }),
      { numRuns: RUNS },
    );
  });

  it(
    'session windows match the model (merges, tombstones for merged-away sessions; closed gap + grace after their end, late records counted)',
    { timeout: TIMEOUT },
    async () => {
      const params = fc.record({
        gap: fc.integer({ min: 1, max: 3000 }),
        disorder: fc.integer({ min: 0, max: 3000 }),
        grace: fc.integer({ min: 0, max: 3000 }),
        caching: fc.boolean(),
      });
      const cases = params.chain((p) =>
        fc.tuple(fc.constant(p), eventStream({ maxDisorderMs: p.disorder, lateFraction: 0.2, maxEvents: 30, maxStepMs: 2000, duplicateFraction: 0.1 })),
      );
      const serde = Serdes.sessionWindowed(str);
      await fc.assert(
        fc.asyncProperty(cases, async ([p, events]) => {
          const spec = { inactivityGapMs: p.gap, graceMs: p.grace };
          const lateSeen: number[] = [];
          const result = await checkTopologyAgainstModel({
            topology: () => {
              const b = new StreamsBuilder();
              b.stream('in', Consumed.with(str, i64))
                .groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(p.gap, p.grace), { lateRecords: (r) => lateSeen.push(r.timestamp) })
                .reduce((a, v) => a + v, mat(p.caching))
                .toStream()
                .to('out', Produced.with(serde, i64));
              return b.build();
            },
            input: { topic: 'in', keySerde: str, valueSerde: i64 },
            output: { topic: 'out', keySerde: serde, valueSerde: i64 },
            events,
            keyId: (w) => `${w.key}@${w.window.start}-${w.window.end}`,
            model: (evs) => sessionWindowModel(evs, spec, sum).map((w) => ({ key: { key: w.key, window: { start: w.start, end: w.end } }, value: w.value })),
          });
          const model = sessionWindowRun(events, spec, sum);
          expect(lateSeen).toEqual(model.late.map((i) => events[i]!.timestamp));
          expect(result.metrics.reduce((n, m) => n + m.dropped, 0)).toBe(model.late.length);
        }),
        { numRuns: RUNS },
      );
    },
  );

  it(
    'suppressed session windows: each session once, final (never before end + gap + grace <= streamTime), equal to the model',
    { timeout: TIMEOUT },
    async () => {
      const params = fc.record({ gap: fc.integer({ min: 1, max: 2000 }), grace: fc.integer({ min: 0, max: 2000 }), caching: fc.boolean() });
      const cases = params.chain((p) =>
        fc.tuple(fc.constant(p), eventStream({ maxDisorderMs: p.grace + p.gap, lateFraction: 0.2, maxEvents: 30, maxStepMs: 1500, duplicateFraction: 0.05 })),
      );
      const serde = Serdes.sessionWindowed(str);
      const sid = (w: Windowed<string>): string => `${w.key}@${w.window.start}-${w.window.end}`;
      await fc.assert(
        fc.asyncProperty(cases, async ([p, events]) => {
          const spec = { inactivityGapMs: p.gap, graceMs: p.grace };
          const maxTs = Math.max(...events.map((e) => e.timestamp));
          const all = [...events, { key: 'zz', value: 0, timestamp: maxTs + p.gap + p.grace + 1 }];
          const times = streamTimes(all);
          const model = sessionWindowRun(all, spec, sum);
          const emitted: string[] = [];
          const result = await checkTopologyAgainstModel({
            topology: () => {
              const b = new StreamsBuilder();
              b.stream('in', Consumed.with(str, i64))
                .groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(p.gap, p.grace))
                .reduce((a, v) => a + v, mat(p.caching))
                .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
                .toStream()
                .to('out', Produced.with(serde, i64));
              return b.build();
            },
            input: { topic: 'in', keySerde: str, valueSerde: i64 },
            output: { topic: 'out', keySerde: serde, valueSerde: i64 },
            events: all.map((e) => [e]),
            keyId: sid,
            onOutput: (records, piped) => {
              const now = times[piped.length - 1]!;
              for (const r of records) {
                expect(r.key.window.end + p.gap + p.grace).toBeLessThanOrEqual(now);
                emitted.push(`${sid(r.key)}=${r.value}`);
              }
            },
            model: () =>
              model.windows.filter((w) => w.key !== 'zz').map((w) => ({ key: { key: w.key, window: { start: w.start, end: w.end } }, value: w.value })),
          });
          // Each session once, final: the emitted (session, value) multiset is the model's sessions
          // (two sessions share a window only when records came exactly as their window closed).
          const want = model.windows.filter((w) => w.key !== 'zz').map((w) => `${w.key}@${w.start}-${w.end}=${w.value}`);
          expect([...emitted].sort()).toEqual(want.sort());
          expect(result.records.length).toBe(model.windows.length - 1);
          expect(result.metrics.reduce((n, m) => n + m.dropped, 0)).toBe(model.late.length);
        }),
        { numRuns: RUNS },
      );
    },
  );

  it('watermark mode: N input partitions in any interleaving give the model result (= 1 partition), nothing late', { timeout: TIMEOUT }, async () => {
    const params = fc.record({ n: fc.integer({ min: 1, max: 3 }), size: fc.integer({ min: 100, max: 3000 }), disorder: fc.integer({ min: 0, max: 2000 }) });
    const cases = params.chain((p) =>
      fc.tuple(
        fc.constant(p),
        partitionedChunks({ partitions: p.n, keys: ['a', 'b', 'c', 'd', 'e'], maxDisorderMs: p.disorder, maxEvents: 30, maxStepMs: 800 }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ([p, chunks]) => {
        const serde = Serdes.timeWindowed(str, p.size);
        const topics = Array.from({ length: p.n }, (_, i) => `in-${i}`);
        const b = new StreamsBuilder();
        b.stream(topics, Consumed.with(str, i64))
          .groupByKey()
          .windowedBy(TimeWindows.ofSizeAndGrace(p.size, p.disorder), { eventTime: EventTime.watermark() })
          .reduce((a, v) => a + v, mat(true))
          .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
          .toStream()
          .to('out', Produced.with(serde, i64));
        const driver = new TopologyTestDriver(b.build());
        try {
          const inputs = topics.map((t) => driver.createInputTopic(t, str, i64));
          const out = driver.createOutputTopic('out', serde, i64);
          const flat = chunks.flat();
          for (const chunk of chunks)
            await inputs[chunk[0]!.partition]!.pipeRecordList(chunk.map((e) => ({ key: e.key, value: e.value, timestamp: e.timestamp })));
          const end = Math.max(...flat.map((e) => e.timestamp)) + p.size + p.disorder + 1;
          for (const input of inputs) await input.pipeInput('zz', 0, end);
          const records = await out.readRecordsToList();
          const got = new Map(records.map((r) => [wid(r.key), r.value]));
          expect(got.size).toBe(records.length);
          const expected = timeWindowModel(
            flat,
            { sizeMs: p.size, graceMs: p.disorder },
            sum,
            watermarkTimes(
              flat,
              topics.map((_t, i) => i),
            ),
          );
          expect(expected.late).toEqual([]);
          expect([...got].sort()).toEqual(expected.windows.map((w) => [`${w.key}@${w.start}`, w.value] as [string, number]).sort());
          expect(driver.metrics().reduce((n, m) => n + m.dropped, 0)).toBe(0);
        } finally {
          await driver.close();
        }
      }),
      { numRuns: RUNS },
    );
  });
});
