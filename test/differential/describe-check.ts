/**
 * `describe()` differential: the text of tributary's `Topology.describe().toString()` (up to a
 * `Tributary plan:` line, tributary's own section) against Kafka Streams 3.9.1's
 * `Topology.describe().toString()` for every topology of describe-topologies.ts, both built the
 * same way. The Java side answers `describe:<name>` cases in the suite's one JVM.
 *
 *   tsx test/differential/describe-check.ts [name...]   prints a unified diff per differing topology
 */
import { pathToFileURL } from 'node:url';
import { KafkaStreamsRunner, installKafkaStreamsRunner } from '../../scripts/differential/kafka-streams.js';
import { buildDescribeTopology, DESCRIBE_TOPOLOGY_NAMES } from './describe-topologies.js';

export interface DescribeComparison {
  readonly name: string;
  /** Kafka Streams' text, or its error. */
  readonly java: string;
  /** tributary's text before `Tributary plan:`, or its error. */
  readonly ours: string;
  readonly same: boolean;
}

/** The part of tributary's describe text the comparison covers: everything before a `Tributary plan:` line. */
export function kafkaStreamsPart(text: string): string {
  const at = text.search(/^Tributary plan:/m);
  return at < 0 ? text : text.slice(0, at);
}

export async function compareDescribes(runner: KafkaStreamsRunner, names: readonly string[] = DESCRIBE_TOPOLOGY_NAMES): Promise<DescribeComparison[]> {
  const cases = names.map((name) => ({ id: `describe-${name}`, family: `describe:${name}`, params: {}, records: [] }));
  const results = await runner.run(cases);
  return names.map((name) => {
    const r = results.get(`describe-${name}`)!;
    const java = r.error !== undefined ? `ERROR ${r.error}` : (r.describe ?? '');
    let ours: string;
    try {
      ours = kafkaStreamsPart(buildDescribeTopology(name).describe().toString());
    } catch (err) {
      ours = `ERROR ${String(err)}`;
    }
    return { name, java, ours, same: java === ours };
  });
}

/** A unified diff (`-` Kafka Streams, `+` tributary) of two texts, line by line, 2 lines of context. */
export function unifiedDiff(java: string, ours: string, context = 2): string {
  const a = java.split('\n');
  const b = ours.split('\n');
  // Longest common subsequence table, from the end.
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: { tag: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ tag: ' ', line: a[i++]! });
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ tag: '+', line: b[j++]! });
    else ops.push({ tag: '-', line: a[i++]! });
  }
  const keep = ops.map((_, k) => ops.slice(Math.max(0, k - context), k + context + 1).some((o) => o.tag !== ' '));
  const out = ['--- Kafka Streams 3.9.1', '+++ tributary'];
  let gap = false;
  ops.forEach((o, k) => {
    if (!keep[k]) {
      gap = true;
      return;
    }
    if (gap || out.length === 2) out.push('@@');
    gap = false;
    out.push(`${o.tag}${o.line}`);
  });
  return out.join('\n');
}

export function formatDescribeComparison(c: DescribeComparison): string {
  return `describe:${c.name}\n${unifiedDiff(c.java, c.ours)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const names = process.argv.slice(2);
  const runner = KafkaStreamsRunner.start(installKafkaStreamsRunner((m) => console.error(m)));
  const results = await compareDescribes(runner, names.length ? names : DESCRIBE_TOPOLOGY_NAMES);
  await runner.close();
  for (const r of results) if (!r.same) console.log(`${formatDescribeComparison(r)}\n`);
  const same = results.filter((r) => r.same).length;
  console.log(`${results.length} topologies: ${same} identical, ${results.length - same} differ`);
  console.log(results.map((r) => `${r.same ? 'same' : 'DIFF'}  ${r.name}`).join('\n'));
  process.exitCode = same === results.length ? 0 : 1;
}
