#!/usr/bin/env node
// Prints where a vitest run spent its time, from its JSON report (--reporter=json --outputFile.json=…):
// wall time, the sum of file durations, and the slowest files. Plain JavaScript: CI runs it with
// whatever node is first on the PATH, without tsx.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
if (!file) {
  console.error('usage: node scripts/ci/test-durations.mjs <vitest-report.json> [top]');
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const files = report.testResults.map((r) => ({
  file: relative(process.cwd(), r.name),
  ms: Math.max(0, (r.endTime ?? 0) - (r.startTime ?? 0)),
  tests: r.assertionResults.length,
  failed: r.assertionResults.filter((a) => a.status === 'failed').length,
}));
files.sort((a, b) => b.ms - a.ms);
const sum = files.reduce((s, f) => s + f.ms, 0);
const byDir = new Map();
for (const f of files) {
  const dir = f.file.split('/').slice(0, 2).join('/');
  byDir.set(dir, (byDir.get(dir) ?? 0) + f.ms);
}
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
console.log(`\n${files.length} files, ${report.numTotalTests} tests; file durations sum to ${s(sum)}`);
console.log(
  'by directory: ' +
    [...byDir]
      .sort((a, b) => b[1] - a[1])
      .map(([d, ms]) => `${d} ${s(ms)}`)
      .join(' · '),
);
console.log(`slowest ${Math.min(top, files.length)} files:`);
for (const f of files.slice(0, top)) console.log(`  ${s(f.ms).padStart(8)}  ${f.file}${f.failed ? `  (${f.failed} failed)` : ''}`);
