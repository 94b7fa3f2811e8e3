/** describe() is a pure function of the program: building the same DSL program twice gives identical output. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StreamsBuilder } from '../../lib/dsl/streams-builder.js';
import { Consumed } from '../../lib/dsl/options/consumed.js';
import { Grouped } from '../../lib/dsl/options/grouped.js';
import type { KStream } from '../../lib/dsl/kstream.js';
import { Serdes } from '../../lib/serde/serdes.js';

type Op = 'filter' | 'filterNot' | 'mapValues' | 'selectKey' | 'map' | 'flatMapValues' | 'peek' | 'merge' | 'repartition' | 'count' | 'to';
const ops: Op[] = ['filter', 'filterNot', 'mapValues', 'selectKey', 'map', 'flatMapValues', 'peek', 'merge', 'repartition', 'count', 'to'];

function program(steps: readonly Op[]): StreamsBuilder {
  const b = new StreamsBuilder({ logger: () => {} });
  const g = Grouped.with(Serdes.string(), Serdes.string());
  let s: KStream<string, string> = b.stream('in', Consumed.with(Serdes.string(), Serdes.string()));
  const first = s;
  steps.forEach((op, i) => {
    switch (op) {
      case 'filter':
        s = s.filter((_k, v) => v.length > i);
        break;
      case 'filterNot':
        s = s.filterNot((_k, v) => v === String(i));
        break;
      case 'mapValues':
        s = s.mapValues((v) => v + i);
        break;
      case 'selectKey':
        s = s.selectKey((_k, v) => v);
        break;
      case 'map':
        s = s.map((k, v) => ({ key: v, value: k }));
        break;
      case 'flatMapValues':
        s = s.flatMapValues((v) => [v, v]);
        break;
      case 'peek':
        s = s.peek(() => {});
        break;
      case 'merge':
        s = s.merge(first);
        break;
      case 'repartition':
        s = s.repartition();
        break;
      case 'count':
        s.groupByKey(g)
          .count()
          .toStream()
          .mapValues((n) => String(n))
          .to(`counts-${i}`);
        break;
      case 'to':
        s.to(`out-${i}`);
        break;
    }
  });
  s.to('final');
  return b;
}

describe('describe() stability', () => {
  it('is identical for two builds of the same program, and build() agrees with it', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ops), { maxLength: 12 }), (steps) => {
        const a = program(steps).build();
        const b = program(steps).build();
        expect(a.describe().toString()).toBe(b.describe().toString());
        const described = a.describe().subtopologies.map((s) => s.nodes.map((n) => n.name).sort());
        const built = a.build('app', { optimize: false }).subtopologies.map((s) => s.nodes.map((n) => n.name).sort());
        expect(built).toEqual(described);
        // Optimised: each fused processor runs under its head's name in place of the nodes it replaces.
        const fusedAway = new Set(a.describe().fused.flatMap((f) => f.replaces.slice(1)));
        const optimized = a.build('app').subtopologies.map((s) => s.nodes.map((n) => n.name).sort());
        expect(optimized).toEqual(described.map((names) => names.filter((n) => !fusedAway.has(n))));
      }),
      { numRuns: 200 },
    );
  });
});
