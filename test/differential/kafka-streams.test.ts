/**
 * Differential suite against Kafka Streams 3.9.1 (see test/differential/harness.ts): ≥ 200
 * generated cases per family through Kafka Streams' own TopologyTestDriver (one JVM for the whole
 * file) and tributary's; fails on any divergence docs/divergences.md does not explain. The shrunk
 * case of every documented divergence is pinned below: it must still diverge, exactly as documented.
 * `DIFF_RUNS` / `DIFF_SEED` change the cases per family and the seed (default 200, a fixed seed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installKafkaStreamsRunner, KafkaStreamsRunner } from '../../scripts/differential/kafka-streams.js';
import { diverges } from './compare.js';
import { compareDescribes, formatDescribeComparison } from './describe-check.js';
import { DESCRIBE_DIVERGENCES, DESCRIBE_TOPOLOGY_NAMES } from './describe-topologies.js';
import { ENTRIES } from './divergences.js';
import { ALL_FAMILIES } from './generators.js';
import { classify, formatComparison, runCases, runFamilies, type FamilyReport } from './harness.js';
import { decodeCase } from './spec.js';

const RUNS = Number(process.env['DIFF_RUNS'] ?? 200);
const SEED = Number(process.env['DIFF_SEED'] ?? 20261205);

let runner: KafkaStreamsRunner;
beforeAll(() => {
  runner = KafkaStreamsRunner.start(installKafkaStreamsRunner());
}, 300_000);
afterAll(async () => {
  await runner?.close();
});

/** Shrunk cases, one (or more) per docs/divergences.md entry: `id<TAB>family<TAB>params<TAB>records`. */
const PINNED: Readonly<Record<string, readonly string[]>> = {
  'sliding-suppress-early-emission': ['p1\tsliding-count\tmode=suppress,diff=43,grace=0\tin,a,1,49;in,a,1,21'],
  'stream-stream-early-nulls': ['p2\tss-left\tdiff=13,grace=24,after=19\tleft,a,1,33;left,a,1,0'],
  'stream-stream-null-emission-order': ['p3\tss-outer\tdiff=15,grace=4\tleft,a,1,0;left,a,1,8;right,a,0,22'],
  'stream-stream-delayed-nulls': [
    'p4\tss-left\tdiff=22,grace=3,after=6\tleft,a,1,0;right,a,1,18',
    'p4b\tss-outer\tdiff=2,grace=40\tleft,a,1,0;right,a,1,16;right,a,1,27;right,a,1,48;right,a,1,68',
    'p4c\tss-left\tdiff=1,grace=5,after=4\tleft,a,1,74;left,a,~,99;right,a,1,0',
  ],
  'stream-stream-short-retention': ['p5\tss-outer\tdiff=0,grace=0\tright,c,1,0;left,c,1,0'],
  'on-window-close-lost-windows': [
    'p6\ttumbling-reduce\tmode=close,size=10,grace=0\tin,a,1,30;in,a,1,76',
    'p7\ttumbling-reduce\tmode=close,size=10,grace=0\tin,a,1,0;in,a,1,46',
  ],
  'table-join-no-op-updates': [
    'p10\ttt-inner\t\tright,a,1,0;left,a,~,22',
    'p11\tfk-inner\t\tleft,a,1,0;left,a,5,22',
    'p16\ttt-left\t\tleft,c,1,0;right,c,~,27;right,c,2,56;right,c,2,25',
  ],
};

/**
 * Shrunk cases of findings that were tributary bugs or misread differences, now fixed: they must
 * agree exactly. (docs/divergences.md, "Fixed findings".)
 */
const AGREE: readonly string[] = [
  // F2: foreign-key results carry the answer's time (the right update's; max(left, right) via a subscription).
  'f1\tfk-inner\t\tleft,a,1,18;right,f1,0,0',
  'f2\tfk-left\t\tleft,a,0,16;right,f0,1,0',
  'f3\tfk-inner\t\tright,f1,0,50;left,a,1,10;left,a,~,20',
  // F3: a null value does not move the join store's clock (Kafka Streams' default store).
  'f4\tss-outer\tdiff=4,grace=2\tleft,b,1,0;left,a,~,24;right,b,0,0',
  'f5\tss-outer\tdiff=4,grace=2\tleft,a,~,24;left,b,1,0;right,b,0,0',
  // F4: a null value does not move a sliding aggregation's stream time.
  'f6\tsliding-reduce\tmode=plain,diff=7,grace=0\tin,a,1,7;in,a,~,45;in,a,1,9',
];

describe('differential: tributary vs Kafka Streams 3.9.1 TopologyTestDriver', () => {
  it('every documented divergence is pinned by a case that still shows it', { timeout: 180_000 }, async () => {
    expect(Object.keys(PINNED).sort()).toEqual(ENTRIES.map((e) => e.id).sort());
    const cases = Object.values(PINNED).flat().map(decodeCase);
    const results = await runCases(runner, cases);
    const wrong = results.flatMap((r) => {
      const entry = Object.entries(PINNED).find(([, lines]) => lines.some((l) => l.startsWith(`${r.case.id}\t`)))![0];
      const got = diverges(r)
        ? (classify(r)
            ?.map((e) => e.id)
            .join(',') ?? 'unexplained')
        : 'no divergence';
      return got === entry ? [] : [`${entry}: ${got}\n${formatComparison(r)}`];
    });
    expect(wrong).toEqual([]);
  });

  it('the shrunk cases of fixed findings agree', { timeout: 120_000 }, async () => {
    const results = await runCases(runner, AGREE.map(decodeCase));
    expect(results.filter(diverges).map(formatComparison)).toEqual([]);
  });

  it(
    'describe() text equals Kafka Streams 3.9.1 for every topology of describe-topologies.ts (documented divergences excepted)',
    { timeout: 120_000 },
    async () => {
      expect(DESCRIBE_TOPOLOGY_NAMES.length).toBeGreaterThanOrEqual(20);
      const results = await compareDescribes(runner);
      const wrong = results.flatMap((r) => {
        const allowed = DESCRIBE_DIVERGENCES[r.name];
        if (r.same)
          return allowed ? [`describe:${r.name} is now identical: remove it from DESCRIBE_DIVERGENCES and docs/divergences.md (${allowed.entry})`] : [];
        if (allowed?.shows(r.java, r.ours)) return [];
        return [`${formatDescribeComparison(r)}${allowed ? `\n(differs otherwise than ${allowed.entry} says)` : ''}`];
      });
      const same = results.filter((r) => r.same).length;
      console.log(`describe(): ${results.length} topologies, ${same} identical, ${results.length - same} documented divergences`);
      // The message is the unified diff (- Kafka Streams, + tributary) of each failing topology.
      if (wrong.length > 0) expect.fail(`describe() differs from Kafka Streams 3.9.1:\n\n${wrong.join('\n\n')}`);
    },
  );

  it(`${RUNS} generated cases per family: no unexplained divergence`, { timeout: 600_000 }, async () => {
    const t0 = Date.now();
    const reports: FamilyReport[] = await runFamilies(runner, {
      families: ALL_FAMILIES,
      runs: RUNS,
      seed: SEED,
      shrinkLimit: 1,
    });
    const lines = reports.map(
      (r) =>
        `${r.family}: ${r.cases} cases, ${r.divergent} divergent, ${r.explained} explained, ${r.open} open, ${r.unexplained} unexplained, ${r.seconds.toFixed(1)} s`,
    );
    console.log(`differential (seed ${SEED}, ${((Date.now() - t0) / 1000).toFixed(1)} s):\n${lines.join('\n')}`);
    for (const r of reports) expect(r.cases).toBe(RUNS);
    const bad = reports.filter((r) => r.unexplained > 0);
    expect(bad.map((r) => `${r.family}: ${r.unexplained} unexplained; shrunk:\n${r.findings.map(formatComparison).join('\n')}`)).toEqual([]);
  });
});
