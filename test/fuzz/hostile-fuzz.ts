/**
 * The hostile fuzz loop shared by the CI test (test/fuzz/hostile.test.ts) and
 * `npm run fuzz:hostile -- --runs N [--seed S] [--delta-rs-every K]`: fast-check generates cases
 * (hostile-records.ts), each runs through the harness in this process (one embedded broker per
 * 200 cases), failures shrink to a minimal case, and every `deltaRsEvery`-th table is also read
 * by delta-rs, in batches.
 */
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedKafka } from '../../lib/kafka/embedded/index.js';
import { RECORD_OVERHEAD } from '../../lib/kafka/embedded/partition-log.js';
import { DeltaRsBatch, runCase } from './hostile-harness.js';
import { caseArb, type Damage, type ModelOptions } from './hostile-records.js';

/**
 * Damage the runtime survives (stores are verified before a checkpoint is trusted, issue #19),
 * all of it since a truncated store's LevelDB handle is closed before the wipe-and-retry (#14
 * session 4); `--all-damage` / `HOSTILE_DAMAGE=all` is kept as a synonym.
 */
export const SAFE_DAMAGE: readonly Damage[] = [
  'none',
  'none',
  'none',
  'wipe-task-dir',
  'delete-checkpoint',
  'delete-store-keep-checkpoint',
  'corrupt-manifest',
  'corrupt-checkpoint',
  'truncate-store-log',
];
export const ALL_DAMAGE: readonly Damage[] = SAFE_DAMAGE;

export interface FuzzOptions {
  readonly runs: number;
  readonly seed?: number;
  /** Read every k-th case's table with delta-rs too (default 5). */
  readonly deltaRsEvery?: number;
  readonly damages?: readonly Damage[];
  readonly model?: ModelOptions;
  readonly maxRecordsPerSession?: number;
  /**
   * Input and dead-letter topics with max.message.bytes = this (default 4096, 0 = the broker's
   * default and no padding), and some values padded to the input's limit: their dead-letter
   * copies, with the error headers, exceed the DLQ's limit and must arrive truncated.
   */
  readonly maxMessageBytes?: number;
  readonly log?: (line: string) => void;
}

export interface FuzzReport {
  readonly runs: number;
  readonly seed: number;
  readonly records: number;
  readonly deltaRsTables: number;
  readonly ms: number;
  readonly failure?: string;
}

/** The runtime's behaviour the model encodes: maxFutureSkewMs at its default (1 day; the driver's clock stands at WALL_MS). */
export const DEFAULT_MODEL: ModelOptions = { strictUtf8: true, restart: 'seeded', maxFutureSkewMs: 86_400_000 };

export async function runHostileFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const seed = options.seed ?? started % 2_147_483_647;
  const every = options.deltaRsEvery ?? 5;
  const batch = new DeltaRsBatch();
  const model = options.model ?? DEFAULT_MODEL;
  let kafka = new EmbeddedKafka({ name: 'hostile-fuzz' });
  let seq = 0;
  let records = 0;
  let deltaRsFailure: string | undefined;
  const maxMessageBytes = options.maxMessageBytes ?? 4096;
  const limits = maxMessageBytes > 0 ? { maxValueBytes: maxMessageBytes - RECORD_OVERHEAD - 1 } : undefined;
  const arb = caseArb({ damages: options.damages ?? SAFE_DAMAGE, maxRecordsPerSession: options.maxRecordsPerSession ?? 40, ...(limits ? { limits } : {}) });
  const property = fc.asyncProperty(arb, async (c) => {
    const caseId = String(seq++);
    if (seq % 200 === 0) {
      await kafka.close();
      kafka = new EmbeddedKafka({ name: 'hostile-fuzz' });
    }
    const root = await mkdtemp(path.join(os.tmpdir(), 'trib-hostile-'));
    const cleanup = (): Promise<void> => rm(root, { recursive: true, force: true });
    let queued = false;
    try {
      const outcome = await runCase(c, caseId, { kafka, root, model, ...(maxMessageBytes > 0 ? { maxMessageBytes } : {}) });
      records += c.sessions.reduce((n, s) => n + s.records.length, 0);
      if (every > 0 && seq % every === 0 && outcome.deltaRsReadable) {
        batch.add(caseId, outcome, cleanup);
        queued = true;
      }
    } finally {
      if (!queued) await cleanup();
    }
    // A delta-rs mismatch belongs to an earlier case: recorded, not thrown into this one's shrinking.
    if (batch.size >= 50) await batch.flush().catch((err: Error) => void (deltaRsFailure ??= err.message));
    if (seq % 100 === 0)
      options.log?.(`${seq} cases, ${records} records, ${batch.checked} tables read by delta-rs, ${Math.round((Date.now() - started) / 1000)} s`);
  });
  let failure: string | undefined;
  try {
    const details = await fc.check(property, { numRuns: options.runs, seed, endOnFailure: false });
    if (details.failed) {
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      failure = `${fc.defaultReportMessage(details) ?? 'failed'}\n\nInvariant broken: ${cause}`;
    }
  } catch (err) {
    failure = `seed ${seed}: ${(err as Error).stack ?? String(err)}`;
  } finally {
    await batch.flush().catch((err: Error) => void (deltaRsFailure ??= err.message));
    if (deltaRsFailure !== undefined) failure ??= `seed ${seed}: ${deltaRsFailure}`;
    await kafka.close();
  }
  return { runs: seq, seed, records, deltaRsTables: batch.checked, ms: Date.now() - started, ...(failure === undefined ? {} : { failure }) };
}
