/**
 * Regenerates test/fixtures/murmur2-vectors.json from the Kafka Java client: compiles
 * Murmur2Vectors.java with `javac` against the cached broker jars (resolved with Maven if needed)
 * and runs it. Usage: `npx tsx scripts/murmur2-vectors/generate.ts`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveKafkaJars } from '../kafka-broker.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixture = fileURLToPath(new URL('../../test/fixtures/murmur2-vectors.json', import.meta.url));

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error ? String(r.error) : `exit ${r.status}`}\n${r.stderr}`);
  }
  return r.stdout;
}

const libs = await resolveKafkaJars({ log: (m) => process.stderr.write(`${m}\n`) });
const classes = mkdtempSync(join(tmpdir(), 'tributary-murmur2-'));
try {
  const cp = join(libs, '*');
  run('javac', ['-d', classes, '-cp', cp, join(here, 'Murmur2Vectors.java')]);
  const json = run('java', ['-cp', `${classes}:${cp}`, 'Murmur2Vectors']);
  const parsed = JSON.parse(json) as { vectors: unknown[] };
  writeFileSync(fixture, json);
  process.stderr.write(`wrote ${parsed.vectors.length} vectors to ${fixture}\n`);
} finally {
  rmSync(classes, { recursive: true, force: true });
}
