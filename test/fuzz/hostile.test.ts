/**
 * The hostile-input fuzz suite in CI (issue #19): 500 generated cases (override with
 * HOSTILE_FUZZ_RUNS; `npm run fuzz:hostile -- --runs 20000` on demand), each an exactly-once
 * windowed topology with a Delta sink on the embedded broker, restarted with damaged state, checked
 * against the model (see hostile-records.ts and hostile-harness.ts). Every 5th table is read by
 * delta-rs as well. Input, dead-letter and late topics have max.message.bytes 4096 and some values
 * are padded to that limit.
 */
import { describe, expect, it } from 'vitest';
import { runHostileFuzz } from './hostile-fuzz.js';

const runs = Number(process.env['HOSTILE_FUZZ_RUNS'] ?? 500);
/** A fixed seed keeps CI deterministic; explore others with HOSTILE_FUZZ_SEED or `npm run fuzz:hostile` (random by default). */
const seed = Number(process.env['HOSTILE_FUZZ_SEED'] ?? 19);

describe('hostile input fuzz', () => {
  it(`${runs} cases: the app keeps processing and every record is accounted for (table, outputs, DLQ, late, metrics)`, async () => {
    const report = await runHostileFuzz({ runs, seed });
    if (report.failure !== undefined) throw new Error(report.failure);
    expect(report.runs).toBe(runs);
    expect(report.deltaRsTables).toBeGreaterThanOrEqual(Math.floor(runs / 5));
    process.stderr.write(`[fuzz:hostile] ${JSON.stringify(report)}\n`);
  }, 600_000);
});
