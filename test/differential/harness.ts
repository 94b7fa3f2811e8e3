/**
 * The differential harness: generate cases, run them through both engines (Kafka Streams in one
 * long-lived JVM, tributary in process), compare, classify divergences against
 * docs/divergences.md (divergences.ts), and shrink unexplained ones to a minimal input by
 * re-running candidate inputs through both engines in batches.
 */
import type { KafkaStreamsRunner } from '../../scripts/differential/kafka-streams.js';
import { compareCase, diverges, formatSeq, type CaseComparison } from './compare.js';
import { explain, type DivergenceEntry } from './divergences.js';
import { generateCases, type GenerateOptions } from './generators.js';
import { formatRecords, type Case, type CaseResult, type InputRecord } from './spec.js';
import { runTributary } from './tributary-side.js';

/** Runs `fn` over `items`, at most `n` at a time (each case has its own driver and embedded broker). */
async function pool<T>(items: readonly T[], n: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

export async function runCases(runner: KafkaStreamsRunner, cases: readonly Case[]): Promise<CaseComparison[]> {
  const ksDone = runner.run(cases);
  const ours: CaseResult[] = new Array(cases.length);
  await pool(cases, 4, async (c, i) => void (ours[i] = await runTributary(c)));
  const ks = await ksDone;
  return cases.map((c, i) => compareCase(c, ks.get(c.id)!, ours[i]!));
}

/** The docs/divergences.md entries that explain every diverging key of a case, or null when one is not. */
export function classify(c: CaseComparison): DivergenceEntry[] | null {
  if (c.error !== undefined) return null;
  const entries = new Set<DivergenceEntry>();
  for (const k of c.keys) {
    const e = explain(c.case, k);
    if (e === null) return null;
    entries.add(e);
  }
  return [...entries];
}

const unexplained = (c: CaseComparison): boolean => diverges(c) && classify(c) === null;

/**
 * Greedy shrinking: each round sends every candidate (one record removed, a run of records
 * removed, a value or timestamp made smaller) of the current input to both engines in one batch
 * and keeps the first that still has an unexplained divergence; stops when none does.
 */
export async function shrink(runner: KafkaStreamsRunner, failing: CaseComparison, maxRounds = 60): Promise<CaseComparison> {
  let best = failing;
  let seq = 0;
  for (let round = 0; round < maxRounds; round++) {
    const rs = best.case.records;
    const candidates: InputRecord[][] = [];
    for (let size = Math.max(1, Math.floor(rs.length / 2)); size >= 1; size = Math.floor(size / 2)) {
      for (let i = 0; i + size <= rs.length; i += size) candidates.push([...rs.slice(0, i), ...rs.slice(i + size)]);
      if (size === 1) break;
    }
    const minTs = Math.min(...rs.map((r) => r.ts));
    if (rs.length && minTs > 0) candidates.push(rs.map((r) => ({ ...r, ts: r.ts - minTs })));
    rs.forEach((r, i) => {
      if (r.value !== null && r.value > 1) candidates.push(rs.map((x, j) => (j === i ? { ...x, value: 1 } : x)));
      if (r.key !== null && r.key !== 'a' && r.key !== 'f0')
        candidates.push(rs.map((x, j) => (j === i ? { ...x, key: r.topic === 'right' && x.key?.startsWith('f') ? 'f0' : 'a' } : x)));
    });
    const cases = candidates.map((records) => ({ ...best.case, id: `${best.case.id}~${round}.${seq++}`, records }));
    const results = await runCases(runner, cases);
    const next = results.find(unexplained);
    if (!next) break;
    best = next;
  }
  return best;
}

export interface FamilyReport {
  readonly family: string;
  readonly cases: number;
  readonly divergent: number;
  /** Divergent cases explained by allowed entries only. */
  readonly explained: number;
  /** Divergent cases recognized as an open finding (a known tributary bug not fixed yet). */
  readonly open: number;
  readonly unexplained: number;
  /** Explained divergent cases per docs/divergences.md entry. */
  readonly byEntry: Readonly<Record<string, number>>;
  /** Shrunk unexplained divergences (at most `shrinkLimit` per family). */
  readonly findings: readonly CaseComparison[];
  /** Unexplained divergences not shrunk. */
  readonly otherUnexplained: readonly CaseComparison[];
  /** Wall-clock seconds from the start of the family's tributary run until both engines had its results (the JVM works ahead through the queued families; shrinking not included). */
  readonly seconds: number;
}

export interface RunOptions {
  readonly families: readonly string[];
  readonly runs: number;
  readonly seed: number;
  /** Unexplained divergences to shrink per family (default 2). */
  readonly shrinkLimit?: number;
  readonly log?: (m: string) => void;
  /** tributary cases run at once (default 4). */
  readonly concurrency?: number;
  /** Generator options per family (default: everything on). */
  readonly generate?: (family: string) => GenerateOptions;
}

export async function runFamilies(runner: KafkaStreamsRunner, options: RunOptions): Promise<FamilyReport[]> {
  const log = options.log ?? (() => {});
  const reports: FamilyReport[] = [];
  const all = options.families.map((family, i) => ({ family, cases: generateCases(family, options.runs, options.seed + i, options.generate?.(family) ?? {}) }));
  // Every family's batch is queued for the JVM at once: it works ahead while tributary runs the
  // families here one after another. A family's seconds: from the start of its tributary run until
  // both engines have its results.
  const ksBatches = all.map((f) => runner.run(f.cases));
  for (const b of ksBatches) b.catch(() => {}); // a dead JVM fails the family that awaits its batch
  for (const [i, { family, cases }] of all.entries()) {
    const t0 = Date.now();
    const ksDone = ksBatches[i]!;
    const ours = new Map<string, CaseResult>();
    await pool(cases, options.concurrency ?? 4, async (c) => void ours.set(c.id, await runTributary(c)));
    const tributaryMs = Date.now() - t0;
    const ks = await ksDone;
    const seconds = (Date.now() - t0) / 1000;
    log(`${family}: ${cases.length} cases in ${seconds.toFixed(1)} s (tributary ${(tributaryMs / 1000).toFixed(1)} s)`);
    const comparisons = cases.map((c) => compareCase(c, ks.get(c.id)!, ours.get(c.id)!));
    const divergent = comparisons.filter(diverges);
    const byEntry: Record<string, number> = {};
    const bad: CaseComparison[] = [];
    let open = 0;
    for (const c of divergent) {
      const entries = classify(c);
      if (entries === null) bad.push(c);
      else {
        if (entries.some((e) => e.status === 'open')) open++;
        for (const e of entries) byEntry[e.id] = (byEntry[e.id] ?? 0) + 1;
      }
    }
    const findings: CaseComparison[] = [];
    for (const c of bad.slice(0, options.shrinkLimit ?? 2)) {
      log(`shrinking ${c.case.id} (${c.case.records.length} records)`);
      findings.push(await shrink(runner, c));
    }
    reports.push({
      family,
      cases: cases.length,
      divergent: divergent.length,
      explained: divergent.length - bad.length - open,
      open,
      unexplained: bad.length,
      byEntry,
      findings,
      otherUnexplained: bad.slice(findings.length),
      seconds,
    });
  }
  return reports;
}

export function formatComparison(c: CaseComparison): string {
  const params = Object.entries(c.case.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const lines = [`${c.case.family} {${params}} input: ${formatRecords(c.case.records)}`];
  if (c.error !== undefined) lines.push(`  error: ${c.error}`);
  for (const k of c.keys) lines.push(`  ${k.topic} ${k.key ?? 'null'}: Kafka Streams ${formatSeq(k.kafkaStreams)}  tributary ${formatSeq(k.tributary)}`);
  return lines.join('\n');
}
