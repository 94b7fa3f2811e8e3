/**
 * The optimisation pass changes no result: every fused shape gives the same output records (key,
 * value, timestamp, headers, order) with the pass on and off, through the TopologyTestDriver, for
 * random inputs piped in chunks (a commit between chunks: the fused write-back runs at flush).
 * Each property also checks that the pass did fuse the shape, so it cannot pass vacuously.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../lib/dsl/options/consumed.js';
import { Grouped } from '../../lib/dsl/options/grouped.js';
import { Materialized } from '../../lib/dsl/options/materialized.js';
import { Produced } from '../../lib/dsl/options/produced.js';
import type { KStream } from '../../lib/dsl/kstream.js';
import { StreamsBuilder } from '../../lib/dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../lib/dsl/windowed/suppressed.js';
import { TimeWindows } from '../../lib/dsl/windows/time-windows.js';
import { Serdes } from '../../lib/serde/serdes.js';
import type { Serde } from '../../lib/serde/types.js';
import { eventStream } from '../../lib/testing/arbitraries.js';
import { TopologyTestDriver } from '../../lib/testing/topology-test-driver.js';
import type { Topology } from '../../lib/topology/topology.js';

const RUNS = Number(process.env['TRIBUTARY_FC_RUNS'] ?? 60);
const TIMEOUT = 600_000;
const str = Serdes.string();
const i64 = Serdes.int64();

interface Event {
  readonly key: string;
  readonly value: number;
  readonly timestamp: number;
}

interface Output {
  readonly topic: string;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
}

/** Pipes `chunks` into `in` and reads every output topic, with the optimisation pass on or off. */
async function run(topology: Topology, optimize: boolean, chunks: readonly (readonly Event[])[], outputs: readonly Output[]): Promise<unknown[]> {
  const driver = new TopologyTestDriver(topology, { applicationId: 'fusion', optimize });
  try {
    if (!optimize) expect(driver.streams.topology.fused).toEqual([]);
    const input = driver.createInputTopic('in', str, i64);
    const out = outputs.map((o) => driver.createOutputTopic(o.topic, o.keySerde, o.valueSerde));
    const seen: unknown[] = [];
    for (const chunk of chunks) {
      await input.pipeRecordList(chunk.map((e) => ({ key: e.key, value: e.value, timestamp: e.timestamp })));
      for (let i = 0; i < out.length; i++) {
        for (const r of await out[i]!.readRecordsToList()) seen.push([outputs[i]!.topic, r.key, r.value, r.timestamp, r.headers]);
      }
    }
    return seen;
  } finally {
    await driver.close();
  }
}

/** Output records grouped by topic and key, each group in output order. */
function byKey(records: readonly unknown[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const r of records as [string, unknown, ...unknown[]][]) {
    const id = `${r[0]} ${JSON.stringify(r[1])}`;
    out.set(id, [...(out.get(id) ?? []), r]);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Splits `events` into 1-3 chunks at the given fractions. */
function chunked(events: readonly Event[], cuts: readonly number[]): Event[][] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * events.length)))].sort((a, b) => a - b);
  const out: Event[][] = [];
  let from = 0;
  for (const c of [...at, events.length]) {
    if (c > from) out.push(events.slice(from, c));
    from = Math.max(from, c);
  }
  return out;
}

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 2 });

describe('optimisation pass: same outputs with fusion on and off', () => {
  it('windowed aggregation + suppress(untilWindowCloses), with and without a late-records topic', { timeout: TIMEOUT }, async () => {
    const params = fc.record({
      size: fc.integer({ min: 100, max: 4000 }),
      hopDiv: fc.integer({ min: 1, max: 3 }),
      grace: fc.integer({ min: 0, max: 2000 }),
      lateTopic: fc.boolean(),
      reduce: fc.boolean(),
      caching: fc.boolean(),
      persistent: fc.boolean(),
    });
    const cases = params.chain((p) =>
      fc.tuple(fc.constant(p), eventStream({ maxDisorderMs: p.grace, lateFraction: 0.2, maxEvents: 30, duplicateFraction: 0.05, maxStepMs: 800 }), cuts),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ([p, events, at]) => {
        const advance = Math.max(1, Math.floor(p.size / p.hopDiv));
        const windowSerde = Serdes.timeWindowed(str, p.size) as Serde<unknown>;
        const topology = (): Topology => {
          const b = new StreamsBuilder({ logger: () => {} });
          const windows = TimeWindows.ofSizeAndGrace(p.size, p.grace).advanceBy(advance);
          const grouped = b
            .stream('in', Consumed.with(str, i64))
            .groupByKey()
            .windowedBy(windows, p.lateTopic ? { lateRecords: { topic: 'late' } } : {});
          let m = Materialized.as<string, number>('agg').withStoreType(p.persistent ? 'persistent' : 'in-memory');
          if (!p.caching) m = m.withCachingDisabled();
          const table = p.reduce ? grouped.reduce((a, v) => a + v, m) : grouped.count(m);
          table
            .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
            .toStream()
            .to('out', Produced.with(Serdes.timeWindowed(str, p.size), i64));
          return b.build();
        };
        const chunks = chunked(events, at);
        const outputs: Output[] = [{ topic: 'out', keySerde: windowSerde, valueSerde: i64 as Serde<unknown> }];
        if (p.lateTopic) outputs.push({ topic: 'late', keySerde: str as Serde<unknown>, valueSerde: i64 as Serde<unknown> });
        const t = topology();
        expect(t.describe().fused.map((f) => f.description)).toContain('windowed aggregation + final-results suppression');
        const fused = await run(t, true, chunks, outputs);
        const plain = await run(topology(), false, chunks, outputs);
        // Without a record cache the order is the same; with one, the unfused suppression receives
        // updates at the cache flush, key by key, while the fused one emits as the clock moves (the
        // order without a cache): each key's records are the same, in the same order.
        if (p.caching) expect(byKey(fused)).toEqual(byKey(plain));
        else expect(fused).toEqual(plain);
      }),
      { numRuns: RUNS },
    );
  });

  type Op = 'filter-value' | 'filter-key' | 'filterNot' | 'mapValues' | 'selectKey-key' | 'selectKey-value' | 'map' | 'peek' | 'merge';
  const ops: Op[] = ['filter-value', 'filter-key', 'filterNot', 'mapValues', 'selectKey-key', 'selectKey-value', 'map', 'peek', 'merge'];

  function chain(s: KStream<string, number>, steps: readonly Op[]): KStream<string, number> {
    const first = s;
    steps.forEach((op, i) => {
      switch (op) {
        case 'filter-value':
          s = s.filter((_k, v) => v % (i + 2) !== 0);
          break;
        case 'filter-key':
          s = s.filter((k) => k !== 'b');
          break;
        case 'filterNot':
          s = s.filterNot((k, v) => k === 'c' && v > 50);
          break;
        case 'mapValues':
          s = s.mapValues((v, k) => v + k.length + i);
          break;
        case 'selectKey-key':
          s = s.selectKey((k) => `${k}${i % 2}`);
          break;
        case 'selectKey-value':
          s = s.selectKey((_k, v) => `k${v % 3}`);
          break;
        case 'map':
          s = s.map((k, v) => ({ key: k.toUpperCase(), value: v * 2 }));
          break;
        case 'peek':
          s = s.peek(() => undefined);
          break;
        case 'merge':
          s = s.merge(first);
          break;
      }
    });
    return s;
  }

  it(
    'chains of record-by-record operators (key-only and value-reading lambdas, pass-through merges) into a stream and a repartitioned count',
    { timeout: TIMEOUT },
    async () => {
      const cases = fc.tuple(
        fc.array(fc.constantFrom(...ops), { minLength: 2, maxLength: 8 }),
        eventStream({ maxEvents: 30, keys: ['a', 'b', 'c', 'dd'] }),
        cuts,
      );
      let fusedCases = 0;
      await fc.assert(
        fc.asyncProperty(cases, async ([steps, events, at]) => {
          const topology = (): Topology => {
            const b = new StreamsBuilder({ logger: () => {} });
            const s = chain(b.stream('in', Consumed.with(str, i64)), steps);
            s.to('raw', Produced.with(str, i64));
            s.groupByKey(Grouped.with(str, i64).withName('g'))
              .count(Materialized.as<string, number>('n').withStoreType('in-memory'))
              .toStream()
              .to('counts', Produced.with(str, i64));
            return b.build();
          };
          const outputs: Output[] = [
            { topic: 'raw', keySerde: str as Serde<unknown>, valueSerde: i64 as Serde<unknown> },
            { topic: 'counts', keySerde: str as Serde<unknown>, valueSerde: i64 as Serde<unknown> },
          ];
          const t = topology();
          if (t.describe().fused.some((f) => f.description.startsWith('record-by-record'))) fusedCases++;
          const chunks = chunked(events, at);
          expect(await run(t, true, chunks, outputs)).toEqual(await run(topology(), false, chunks, outputs));
        }),
        { numRuns: RUNS },
      );
      // Most programs have two chainable operators in a row (a merge breaks a chain): the property is not vacuous.
      expect(fusedCases).toBeGreaterThan(RUNS / 3);
    },
  );
});
