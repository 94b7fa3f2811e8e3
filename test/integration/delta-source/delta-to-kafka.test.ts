/**
 * Delta → Kafka, exactly once, on the real broker: a `deltaStream` over a bronze table runs in
 * the ordinary Kafka runtime (delta-to-kafka-app.ts) writing one record per row (with a sequence
 * number from a changelogged store of the source's task) and per-merchant counts (repartition +
 * count). The runner is SIGKILLed at random moments while it reads — and the table grows in
 * between — then restarted; the source position is the group offset of the source's anchor
 * topic, committed in the task's transaction. Read read_committed at the end: every row exactly
 * once, the sequence numbers exactly 1..N (state restored with the position), counts = model.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import type { IncomingRecord } from '../../../lib/kafka/types.js';
import { readAll } from '../../chaos/chaos.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { writeBronze } from './bronze-fixture.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'trib-delta-kafka-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The sequence number each start of the app restored (its `seq-init` lines): must match where the source resumed. */
const restoredSeq = (output: string) => [...output.matchAll(/seq-init n=(\d+)/g)].map((m) => m[1]).join(',');

function runApp(env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'delta-to-kafka-app.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let processed = 0;
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const m of d.toString().matchAll(/processed (\d+)\n/g)) processed = Number(m[1]);
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, output: () => out, errors: () => err, processed: () => processed };
}

describe('Delta → Kafka in the Kafka runtime (exactly once)', () => {
  it('SIGKILL mid-run, restart, table growing: every row once, state with it, counts = model', async () => {
    const root = tmp();
    const bronze = path.join(root, 'bronze');
    const rows = await writeBronze(bronze, 6, 2000, 11);
    const bootstrap = realBootstrapServers();
    const client = createKafkaClient({ bootstrapServers: bootstrap, clientId: 'delta-kafka-test' });
    const admin = client.admin();
    await admin.connect();
    const out = uniqueName('dk-out');
    const counts = uniqueName('dk-counts');
    await admin.createTopics([
      { topic: out, numPartitions: 3 },
      { topic: counts, numPartitions: 2 },
    ]);
    const env = {
      KAFKA_BOOTSTRAP_SERVERS: bootstrap,
      APP_ID: uniqueName('dk-app'),
      BRONZE: bronze,
      OUT: out,
      COUNTS: counts,
      STATE_DIR: path.join(root, 'state'),
    };
    const log: string[] = [];
    const kills = 3;
    try {
      for (let k = 0; k < kills; k++) {
        const app = runApp(env);
        const started = Date.now();
        // Run 2 reads while the table grows (tailing, then killed).
        const growing = k === 2 ? writeBronze(bronze, 2, 1500, 12, Date.UTC(2024, 6, 1)) : undefined;
        // Kill after a random amount of work (counted over both tasks), or after a while if an
        // earlier run left little to do.
        const threshold = 700 + Math.floor(Math.random() * 5000);
        while (app.processed() < threshold && Date.now() - started < 45_000 && app.proc.exitCode === null) await sleep(20);
        expect(app.proc.exitCode, app.errors()).toBeNull();
        const delay = Math.floor(Math.random() * 300);
        await sleep(delay);
        app.proc.kill('SIGKILL');
        await app.exited;
        if (growing !== undefined) rows.push(...(await growing));
        const resumed = /resumes at (.*)/.exec(app.output())?.[1] ?? '?';
        log.push(
          `run ${k}: resumed at ${resumed}, killed +${delay}ms after ${app.processed()} processed (threshold ${threshold}) restored seq ${restoredSeq(app.output())}`,
        );
      }
      const final = runApp(env);
      const total = rows.length;
      const deadline = Date.now() + 120_000;
      let records: IncomingRecord[] = [];
      while (Date.now() < deadline) {
        records = await readAll(client, out);
        if (records.length >= total) break;
        await sleep(500);
      }
      // Let anything that would be a duplicate arrive, then read everything again.
      await sleep(1_500);
      records = await readAll(client, out);
      const expectedCounts = new Map<string, number>();
      for (const r of rows) expectedCounts.set(r.merchant_id, (expectedCounts.get(r.merchant_id) ?? 0) + 1);
      let lastCounts = new Map<string, number>();
      while (Date.now() < deadline) {
        lastCounts = new Map();
        for (const r of await readAll(client, counts)) lastCounts.set(r.key!.toString(), Number(r.value!.readBigInt64BE()));
        if ([...expectedCounts].every(([m, n]) => lastCounts.get(m) === n)) break;
        await sleep(500);
      }
      final.proc.kill('SIGTERM');
      expect(await final.exited, final.errors()).toBe(0);
      const finalResumed = /resumes at (.*)/.exec(final.output())?.[1] ?? '?';
      log.push(`final run: resumed at ${finalResumed}, restored seq ${restoredSeq(final.output())}`);
      process.stderr.write(`delta → kafka kills: ${log.join('; ')}\n`);
      const seqCounts = new Uint8Array(total + 1);
      for (const r of records) {
        const seq = Number(r.value!.toString().split('|')[1]);
        if (seq >= 1 && seq <= total) seqCounts[seq]!++;
      }
      const gaps = seqCounts.subarray(1).filter((n) => n === 0).length;
      if (records.length !== total || gaps > 0) {
        // Tell a stall from a loss, and a reader's fault from the log's: the final run's own words,
        // and what each client reads read_committed from the output and the sequence changelog.
        process.stderr.write(`final run output (last 4000 chars):\n${final.output().slice(-4000)}\n${final.errors().slice(-2000)}\n`);
        for (const kind of ['platformatic', 'kafkajs'] as const) {
          const other = createKafkaClient({ bootstrapServers: bootstrap, clientId: 'delta-kafka-diagnosis', client: kind });
          const changelog = await readAll(other, `${env.APP_ID}-row-seq-changelog`);
          const last = changelog.at(-1);
          process.stderr.write(
            `${kind} reads ${(await readAll(other, out)).length} output records, ${changelog.length} changelog records (last ${last?.offset}: ${last?.value?.readBigInt64BE()})\n`,
          );
        }
      }

      const keys = new Map<string, number>();
      const seqs = new Uint8Array(total + 1);
      let badSeq = 0;
      for (const r of records) {
        const key = r.key!.toString();
        keys.set(key, (keys.get(key) ?? 0) + 1);
        const seq = Number(r.value!.toString().split('|')[1]);
        if (!(seq >= 1 && seq <= total)) badSeq++;
        else seqs[seq]!++;
      }
      const expectedKeys = new Set(rows.map((r) => `${r.transaction_id}/${r.source_offset}`));
      expect(expectedKeys.size).toBe(total);
      const duplicates = [...keys.values()].filter((n) => n > 1).length;
      const missing = [...expectedKeys].filter((k) => !keys.has(k)).length;
      const unexpected = [...keys.keys()].filter((k) => !expectedKeys.has(k)).length;
      expect({ records: records.length, duplicates, missing, unexpected, badSeq }).toEqual({
        records: total,
        duplicates: 0,
        missing: 0,
        unexpected: 0,
        badSeq: 0,
      });
      // Each sequence number once: the store's state was committed with the source position.
      expect(seqs.subarray(1).every((n) => n === 1)).toBe(true);
      expect(Object.fromEntries(lastCounts)).toEqual(Object.fromEntries(expectedCounts));
      // Later runs resumed from committed positions, not from the start.
      expect(log.slice(1).some((l) => /resumed at \{"version"/.test(l))).toBe(true);
    } finally {
      await admin.disconnect();
    }
  }, 300_000);
});
