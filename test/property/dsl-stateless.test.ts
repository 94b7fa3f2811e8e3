/**
 * A chain of stateless KStream operators, run through the TopologyTestDriver, produces exactly
 * what the same chain computes with array functions over the input (single partition: order kept).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StreamsBuilder } from '../../lib/dsl/streams-builder.js';
import { Consumed } from '../../lib/dsl/options/consumed.js';
import { Produced } from '../../lib/dsl/options/produced.js';
import type { KStream } from '../../lib/dsl/kstream.js';
import { Serdes } from '../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../lib/testing/index.js';

type KV = { key: string; value: number };
type Step =
  | { op: 'filter'; mod: number }
  | { op: 'filterNot'; mod: number }
  | { op: 'mapValues'; add: number }
  | { op: 'flatMapValues'; copies: number }
  | { op: 'selectKey'; suffix: string }
  | { op: 'map'; mul: number }
  | { op: 'peek' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('filter' as const), mod: fc.integer({ min: 2, max: 4 }) }),
  fc.record({ op: fc.constant('filterNot' as const), mod: fc.integer({ min: 2, max: 4 }) }),
  fc.record({ op: fc.constant('mapValues' as const), add: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ op: fc.constant('flatMapValues' as const), copies: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant('selectKey' as const), suffix: fc.constantFrom('x', 'y') }),
  fc.record({ op: fc.constant('map' as const), mul: fc.integer({ min: -2, max: 3 }) }),
  fc.record({ op: fc.constant('peek' as const) }),
);

const keep = (v: number, mod: number): boolean => ((v % mod) + mod) % mod === 0;

function applyToStream(s: KStream<string, number>, st: Step): KStream<string, number> {
  switch (st.op) {
    case 'filter':
      return s.filter((_k, v) => keep(v, st.mod));
    case 'filterNot':
      return s.filterNot((_k, v) => keep(v, st.mod));
    case 'mapValues':
      return s.mapValues((v) => v + st.add);
    case 'flatMapValues':
      return s.flatMapValues((v) => Array.from({ length: st.copies }, (_, i) => v + i));
    case 'selectKey':
      return s.selectKey((k) => k + st.suffix);
    case 'map':
      return s.map((k, v) => ({ key: `${k}:${v}`, value: v * st.mul + 0 }));
    case 'peek':
      return s.peek(() => {});
  }
}

function applyToArray(xs: KV[], st: Step): KV[] {
  switch (st.op) {
    case 'filter':
      return xs.filter((r) => keep(r.value, st.mod));
    case 'filterNot':
      return xs.filter((r) => !keep(r.value, st.mod));
    case 'mapValues':
      return xs.map((r) => ({ key: r.key, value: r.value + st.add }));
    case 'flatMapValues':
      return xs.flatMap((r) => Array.from({ length: st.copies }, (_, i) => ({ key: r.key, value: r.value + i })));
    case 'selectKey':
      return xs.map((r) => ({ key: r.key + st.suffix, value: r.value }));
    case 'map':
      return xs.map((r) => ({ key: `${r.key}:${r.value}`, value: r.value * st.mul + 0 }));
    case 'peek':
      return xs;
  }
}

describe('stateless DSL chains', () => {
  it('equal the array-function model', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 6 }),
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), value: fc.integer({ min: -50, max: 50 }) }), { maxLength: 20 }),
        async (steps, input) => {
          const b = new StreamsBuilder({ logger: () => {} });
          let s = b.stream('in', Consumed.with(Serdes.string(), Serdes.int32()));
          for (const st of steps) s = applyToStream(s, st);
          s.to('out', Produced.with(Serdes.string(), Serdes.int32()));
          const driver = new TopologyTestDriver(b.build(), { applicationId: 'prop' });
          try {
            const inTopic = driver.createInputTopic('in', Serdes.string(), Serdes.int32());
            const outTopic = driver.createOutputTopic('out', Serdes.string(), Serdes.int32());
            await inTopic.pipeKeyValueList(input, 1000, 1);
            const expected = steps.reduce(applyToArray, input);
            expect(await outTopic.readKeyValuesToList()).toEqual(expected);
          } finally {
            await driver.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
