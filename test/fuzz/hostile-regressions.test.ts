/**
 * Counterexamples the hostile fuzz found and shrank (issue #19), kept as unit tests: each runs the
 * shrunk case through the same harness and model. A fixed one stays here so it cannot come back;
 * a known one that needs work outside this suite's reach is an `it.fails` naming what is missing,
 * which turns red the day it is fixed (then make it an `it` and update the model default).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedKafka } from '../../lib/kafka/embedded/index.js';
import { DeltaRsBatch, runCase } from './hostile-harness.js';
import type { FuzzCase, ModelOptions } from './hostile-records.js';
import { DEFAULT_MODEL } from './hostile-fuzz.js';

const kafka = new EmbeddedKafka({ name: 'hostile-regressions' });
afterAll(() => kafka.close());
let seq = 0;

/** Runs the case against the model; with `deltaRs`, delta-rs reads the table too. */
async function check(c: FuzzCase, model: ModelOptions = DEFAULT_MODEL, deltaRs = false, maxMessageBytes?: number): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'trib-hostile-reg-'));
  const cleanup = (): Promise<void> => rm(root, { recursive: true, force: true });
  let queued = false;
  try {
    const outcome = await runCase(c, `reg${seq++}`, { kafka, root, model, ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }) });
    if (deltaRs) {
      const batch = new DeltaRsBatch();
      batch.add('regression', outcome, cleanup);
      queued = true;
      await batch.flush();
      expect(batch.checked).toBe(1);
    }
  } finally {
    if (!queued) await cleanup();
  }
}

const T = 1767225600000; // WALL_MS
const valid = (k: string, part: string | null, ts: number | string, ms: number | null, amount = 0) => ({
  body: { kind: 'valid' as const, k, part, amount, ts: { raw: ts, ms } },
  pad: 0,
});

describe('hostile fuzz counterexamples', () => {
  it('seed 1: a stray 0x80 inside a JSON string is dead-lettered, not decoded to U+FFFD and written to the table', async () => {
    await check({
      sessions: [
        {
          variant: 'A',
          damage: 'none',
          records: [
            { body: { kind: 'invalid-utf8', k: 'a', part: 'p1', ts: { raw: T - 5000, ms: T - 5000 }, bad: [0x80] }, pad: 0 },
            valid('a', '__HIVE_DEFAULT_PARTITION__', T - 20000, T - 20000),
          ],
        },
      ],
    });
  });

  it('the partition literal __HIVE_DEFAULT_PARTITION__ next to null: null is written, the literal dead-lettered, neither counted twice', async () => {
    await check({
      sessions: [
        {
          variant: 'B',
          damage: 'none',
          records: [valid('a', null, T, T), valid('a', '__HIVE_DEFAULT_PARTITION__', T + 1, T + 1), valid('a', null, T + 2, T + 2)],
        },
      ],
    });
  });

  it('schema by case across restarts: {amount} then {Amount, Note} then {amount} is one column; delta-rs-readable', async () => {
    await check(
      {
        sessions: [
          { variant: 'A', damage: 'wipe-task-dir', records: [valid('a', 'p1', T, T, 1.5)] },
          { variant: 'B', damage: 'delete-checkpoint', records: [valid('a', 'p1', T + 25_000, T + 25_000, 2.5)] },
          { variant: 'A', damage: 'none', records: [valid('b', 'p2', T + 50_000, T + 50_000, 3.5)] },
        ],
      },
      DEFAULT_MODEL,
      true,
    );
  });

  it('year 0099 in an ISO event time is an invalid event time (once parsed as 1999 and counted)', async () => {
    await check({ sessions: [{ variant: 'A', damage: 'none', records: [valid('a', 'p1', '0099-06-15T00:00:00Z', null), valid('a', 'p1', T, T)] }] });
  });

  it('seed 11: a tombstone read with the record-timestamp extractor is dead-lettered by the sink, not a crash of the topology', async () => {
    await check({
      tsSource: 'record',
      sessions: [{ variant: 'A', damage: 'none', records: [{ body: { kind: 'null-value' }, pad: 0 }, valid('a', '../x', T - 20_000, T - 20_000)] }],
    });
  });

  it('seed 11: 9999-12-31 (beyond maxFutureSkewMs) is dead-lettered and does not make the next records late', async () => {
    await check({
      sessions: [
        { variant: 'A', damage: 'none', records: [valid('a', null, 253402214400000, 253402214400000), valid('a', 'p1', T - 20_000, T - 20_000)] },
        { variant: 'A', damage: 'none', records: [valid('a', 'p1', '2026-01-01T00:00:05.000+00:00', T + 5_000)] },
      ],
    });
  });

  it('record timestamps 2^53, 2^60, 2 ** 63 /* Long.MAX_VALUE as a double */ and 1e300 are dead-lettered (once out of memory or a task failure)', async () => {
    await check({
      tsSource: 'record',
      sessions: [
        {
          variant: 'A',
          damage: 'none',
          records: [2 ** 53, 2 ** 60, 2 ** 63 /* Long.MAX_VALUE as a double */, 1e300, 2 ** 52, T].map((ts) => valid('a', 'p1', ts, null)),
        },
      ],
    });
  });

  it('FAIL handlers: malformed JSON at offset 1 stops the app with an error naming the record; nothing after it is written', async () => {
    await check({
      handlers: 'fail',
      sessions: [
        {
          variant: 'A',
          damage: 'none',
          records: [valid('a', 'p1', T, T), { body: { kind: 'malformed-json', text: '{' }, pad: 0 }, valid('a', 'p1', T + 1, T + 1)],
        },
      ],
    });
  });

  it('FAIL handlers: a row Delta refuses (the null literal as a partition value) stops the app naming the record', async () => {
    await check({
      handlers: 'fail',
      sessions: [
        { variant: 'B', damage: 'wipe-task-dir', records: [valid('a', 'p1', T, T)] },
        { variant: 'B', damage: 'none', records: [valid('a', 'p2', T + 25_000, T + 25_000), valid('a', '__HIVE_DEFAULT_PARTITION__', T + 25_001, T + 25_001)] },
      ],
    });
  });

  it('issue #19.3: store dir deleted with .checkpoint kept, MANIFEST garbled, .checkpoint garbled: counts continue from the changelog', async () => {
    for (const damage of ['delete-store-keep-checkpoint', 'corrupt-manifest', 'corrupt-checkpoint'] as const) {
      await check({
        graceMs: 60_000,
        tsSource: 'record',
        sessions: [
          { variant: 'A', damage, records: [valid('a', 'p1', T, T), valid('a', 'p1', T, T)] },
          { variant: 'A', damage: 'none', records: [valid('a', 'p1', T, T)] },
        ],
      });
    }
  });

  it('issue #19.2: values at the input limit whose dead-letter copies exceed the DLQ limit are dead-lettered truncated; the app goes on', async () => {
    const limit = 4096 - 24 - 1; // max.message.bytes − record overhead − key
    await check(
      {
        sessions: [
          {
            variant: 'A',
            damage: 'none',
            records: [
              { body: { kind: 'malformed-json', text: '{' }, pad: limit },
              { body: { kind: 'schema', json: { k: 'a', part: 'p1', amount: '12.5', ts: T } }, pad: limit },
              { ...valid('a', 'p1', T, T), pad: limit },
              { ...valid('a', '__HIVE_DEFAULT_PARTITION__', T, T), pad: limit - 10 },
              valid('b', 'p2', T + 1, T + 1),
            ],
          },
          { variant: 'A', damage: 'none', records: [{ body: { kind: 'malformed-json', text: '[1,2' }, pad: limit }, valid('a', 'p1', T + 25_000, T + 25_000)] },
        ],
      },
      DEFAULT_MODEL,
      false,
      4096,
    );
  });

  it('issue #19.2: a late record at the input limit, too large for the late topic with its headers, is dead-lettered (truncated) by the production handler', async () => {
    const limit = 4096 - 24 - 1;
    await check(
      {
        sessions: [
          {
            variant: 'A',
            damage: 'none',
            records: [valid('a', 'p1', T + 10_000, T + 10_000), { ...valid('a', 'p1', T, T), pad: limit }, { ...valid('b', 'p2', T + 1, T + 1), pad: 100 }],
          },
        ],
      },
      DEFAULT_MODEL,
      false,
      4096,
    );
  });

  it('two input partitions (two tasks, one Delta table, a txn per partition) across a restart with a wiped task dir', async () => {
    await check(
      {
        partitions: 2,
        graceMs: 60_000,
        sessions: [
          {
            variant: 'A',
            damage: 'wipe-task-dir',
            records: [
              valid('a', 'p1', T, T),
              valid('b', 'p1', T, T),
              valid('c', 'p2', T + 1, T + 1),
              { body: { kind: 'malformed-json', text: '{' }, pad: 0 },
              valid('b', '', T, T),
            ],
          },
          { variant: 'B', damage: 'none', records: [valid('a', 'p1', T + 2, T + 2), valid('b', 'p2', T + 3, T + 3), { body: { kind: 'null-value' }, pad: 0 }] },
        ],
      },
      DEFAULT_MODEL,
      true,
    );
  });

  it('seed 18: a window store whose LevelDB log was truncated is wiped and restored from its changelog', async () => {
    // Was: its keys could not be read, the handle stayed open, and the wipe-and-retry's second
    // open failed on the lock ("cannot open LevelDB store").
    await check({
      sessions: [
        {
          variant: 'A',
          damage: 'none',
          records: [{ body: { kind: 'invalid-utf8', k: 'a', part: 'p1', ts: { raw: T - 5000, ms: T - 5000 }, bad: [0x80] }, pad: 0 }],
        },
        {
          variant: 'A',
          damage: 'truncate-store-log',
          records: [{ body: { kind: 'schema', json: { k: 'a', part: 'p1', amount: '12.5', ts: T - 5000 } }, pad: 0 }],
        },
        { variant: 'A', damage: 'none', records: [valid('a', null, T + 30_000, T + 30_000)] },
      ],
    });
  });

  it('seed 7: after a clean restart the window clock starts where the store expiry stands; records for a window the store expired are late, not counts dropped silently', async () => {
    // Was: the operator's clock restarted at -1 and accepted both c records, the store (time T + 27 s
    // recovered from disk) dropped them as expired: "late ids [], model [1,2]".
    await check({
      sessions: [
        { variant: 'A', damage: 'none', records: [valid('a', null, T + 27_000, T + 27_000)] },
        { variant: 'A', damage: 'none', records: [valid('c', 'p1', T + 7_000, T + 7_000)] },
        { variant: 'A', damage: 'none', records: [valid('c', 'p1', T + 7_000, T + 7_000)] },
      ],
    });
  });
});
