/**
 * Properties of the runtime, run through the TopologyTestDriver (the real runtime on the embedded
 * broker): stateless chains behave like the same functions on arrays, and `groupByKey().count()`
 * matches a reference count per key whatever the input order and partitioning.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, StreamsBuilder } from '../../lib/dsl/index.js';
import { Serdes } from '../../lib/serde/serdes.js';
import { outOfOrderRecords, TopologyTestDriver } from '../../lib/testing/index.js';

const str = Serdes.string();
const json = Serdes.json<{ n: number; tag: string }>();
const i64 = Serdes.int64();

const recordArb = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
  n: fc.integer({ min: -1000, max: 1000 }),
  tag: fc.string({ maxLength: 6 }),
  ts: fc.integer({ min: 0, max: 10_000 }),
});

const keep = (k: string, v: { n: number }) => v.n % 3 !== 0 || k === 'a';
const transform = (v: { n: number; tag: string }) => ({ n: v.n * 2 + 1, tag: v.tag.toUpperCase() });
const explode = (v: { n: number; tag: string }) => (v.n > 500 ? [v, { ...v, n: -v.n }] : [v]);

describe('runtime properties', () => {
  it('filter → mapValues → flatMapValues → to equals the same functions on arrays (per partition, in order)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { maxLength: 40 }), fc.integer({ min: 1, max: 3 }), async (records, partitions) => {
        const b = new StreamsBuilder();
        b.stream('in', Consumed.with(str, json)).filter(keep).mapValues(transform).flatMapValues(explode).to('out', Produced.with(str, json));
        const driver = new TopologyTestDriver(b.build());
        try {
          const input = driver.createInputTopic('in', str, json, { partitions });
          const output = driver.createOutputTopic('out', str, json, { partitions });
          await input.pipeRecordList(records.map((r) => ({ key: r.key, value: { n: r.n, tag: r.tag }, timestamp: r.ts })));
          const actual = await output.readRecordsToList();
          // Per key the order is the input order (a key always maps to one partition).
          for (const key of new Set(records.map((r) => r.key))) {
            const expected = records
              .filter((r) => r.key === key)
              .filter((r) => keep(r.key, r))
              .flatMap((r) => explode(transform(r)).map((v) => ({ v, ts: r.ts })));
            const got = actual.filter((r) => r.key === key).map((r) => ({ v: r.value, ts: r.timestamp }));
            expect(got).toEqual(expected);
          }
          if (partitions === 1) {
            const all = records.filter((r) => keep(r.key, r)).flatMap((r) => explode(transform(r)));
            expect(actual.map((r) => r.value)).toEqual(all);
          }
          const m = driver.metrics().reduce((acc, s) => acc + s.recordsIn, 0);
          expect(m).toBe(records.length);
        } finally {
          await driver.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('groupByKey → count equals a reference count per key for out-of-order input within a partition', async () => {
    await fc.assert(
      fc.asyncProperty(outOfOrderRecords({ keys: fc.constantFrom('p', 'q', 'r'), values: fc.string({ maxLength: 3 }), maxLength: 60 }), async (records) => {
        const b = new StreamsBuilder();
        b.stream('in', Consumed.with(str, str)).groupByKey().count(Materialized.as<string, number>('c')).toStream().to('out', Produced.with(str, i64));
        const driver = new TopologyTestDriver(b.build());
        try {
          const input = driver.createInputTopic('in', str, str);
          const output = driver.createOutputTopic('out', str, i64);
          await input.pipeRecordList(records);
          const expected = new Map<string, number>();
          for (const r of records) expected.set(r.key, (expected.get(r.key) ?? 0) + 1);
          expect(await output.readKeyValuesToMap()).toEqual(expected);
          // Output timestamps: max of the key's record timestamps (emit-on-update with max ts).
          const latest = new Map<string, number>();
          for (const r of records) latest.set(r.key, Math.max(latest.get(r.key) ?? -1, r.timestamp!));
          expect(
            driver
              .getTimestampedKeyValueStore<string, number>('c')
              .all()
              .map((kv) => [kv.key, kv.value.timestamp])
              .sort(),
          ).toEqual([...latest].sort());
        } finally {
          await driver.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('selectKey → groupByKey → count equals a reference count per key, in any input order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('x', 'y', 'z', 'w'), fc.integer({ min: 0, max: 5000 })), { maxLength: 60 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('at_least_once' as const, 'exactly_once' as const),
        fc.integer({ min: 1, max: 4 }),
        async (words, partitions, guarantee, chunks) => {
          const b = new StreamsBuilder();
          b.stream('words', Consumed.with(str, str))
            .selectKey((_k, v) => v)
            .groupByKey(Grouped.with(str, str))
            .count(Materialized.as<string, number>('counts-store'))
            .toStream()
            .to('counts', Produced.with(str, i64));
          const driver = new TopologyTestDriver(b.build(), { processingGuarantee: guarantee });
          try {
            const input = driver.createInputTopic('words', str, str, { partitions });
            const output = driver.createOutputTopic('counts', str, i64);
            const expected = new Map<string, number>();
            for (const [w] of words) expected.set(w, (expected.get(w) ?? 0) + 1);
            // Pipe in several chunks, reading in between: the final table is the same.
            const size = Math.ceil(words.length / chunks) || 1;
            const latest = new Map<string, number>();
            for (let i = 0; i < words.length; i += size) {
              await input.pipeRecordList(words.slice(i, i + size).map(([w, ts], j) => ({ key: `r${i + j}`, value: w, timestamp: ts })));
              for (const [k, v] of await output.readKeyValuesToMap()) latest.set(k, v);
            }
            expect(latest).toEqual(expected);
            if (words.length > 0) {
              const store = driver.getKeyValueStore<string, number>('counts-store');
              expect(new Map(store.all().map((kv) => [kv.key, kv.value]))).toEqual(expected);
            }
          } finally {
            await driver.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
