/**
 * `tributary demo`: the seed pipeline end to end in one process.
 *
 *   broker (embedded, or --bootstrap-servers) ─▶ start transactions-bronze + transactions-windowed
 *     ─▶ produce N seeded events (late and malformed shares) ─▶ wait until both caught up
 *     ─▶ close both (last commits) ─▶ read back: Delta versions/rows, output topic, metrics
 *     ─▶ lakehouse hops, Delta → Delta (lakehouse.ts): bronze → silver + quarantine → gold totals
 *     ─▶ compare with the reference models (model.ts, lakehouse-model.ts) ─▶ summary (wall time, peak RSS)
 *
 * Caught up = both groups committed the input topic to its end, the windowed application's own
 * topics (repartition, aggregates) are consumed to their last stable offsets, and nothing moved
 * for two consecutive checks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TributaryError } from '../../errors.js';
import type { Admin, KafkaClient } from '../../kafka/types.js';
import { connectKafka, sleep } from '../connect.js';
import type { CliContext } from '../context.js';
import type { BrokerTarget } from '../options.js';
import { produceTransactions, type ProduceSummary } from '../produce/producer.js';
import { generateTransactions } from '../produce/transactions.js';
import { AppRunner, type AppStats } from '../run/app-runner.js';
import { formatCount, progressLine, rates, terminalLine } from '../run/progress.js';
import { loadTopology } from '../run/topology-module.js';
import { ensureOutputTopics } from '../run/run-loop.js';
import { METRICS_HOST_ENV, serveMetrics } from '../run/metrics-endpoint.js';
import type { MetricsServer } from '../../observability/server.js';
import { pipelineModel, type PipelineModel } from './model.js';
import { demoTablePaths, removeDemoTable, summarizeTable, type TableSummary } from './tables.js';
import { removeLakehouseTables, runLakehouse, type LakehouseSummary } from './lakehouse.js';
import { readWholeTopic } from './topic-reader.js';

export interface DemoOptions {
  readonly broker: BrokerTarget;
  readonly numTransactions: number;
  readonly seed: number | undefined;
  /** Directory of the Delta tables; default `./data`. */
  readonly outputDir: string | undefined;
  readonly windowMs: number;
  readonly watermarkMs: number;
  readonly partitions: number;
  readonly lateShare: number;
  readonly malformedShare: number;
  /** Event-time distance between consecutive events. */
  readonly spacingMs: number;
  readonly json: boolean;
  /** Give up waiting for the applications to catch up after this long. */
  readonly timeoutMs: number;
  /** Nominal time of event 0 (epoch ms); undefined: the events end about now. */
  readonly startTime: number | undefined;
  /** Serve /metrics, health and the live page on this port; undefined: no server. */
  readonly metricsPort?: number | undefined;
  /** Keep the live page up after the summary until Ctrl-C. */
  readonly ui?: boolean;
}

export interface DemoSummary {
  readonly broker: string;
  readonly seed: number;
  /** Generator settings: with the seed they rebuild every event (`generateTransactions`). */
  readonly generator: {
    readonly startTime: string;
    readonly spacingMs: number;
    readonly lateShare: number;
    readonly malformedShare: number;
    readonly watermarkMs: number;
  };
  readonly topics: { readonly input: string; readonly late: string; readonly aggregates: string; readonly deadLetter: readonly string[] };
  readonly produced: { readonly records: number; readonly onTime: number; readonly late: number; readonly malformed: number };
  readonly bronze: { readonly recordsIn: number; readonly rows: number; readonly late: number; readonly deadLettered: number; readonly table: TableSummary };
  readonly windowed: {
    readonly recordsIn: number;
    readonly windowsEmitted: number;
    readonly accountWindows: number;
    readonly merchantWindows: number;
    readonly late: number;
    readonly deadLettered: number;
    readonly table: TableSummary;
  };
  readonly lakehouse: LakehouseSummary;
  readonly model: { readonly ok: boolean; readonly mismatches: readonly string[] };
  readonly wallTimeMs: number;
  readonly peakRssBytes: number;
}

const TOPOLOGIES = fileURLToPath(new URL('../../../topologies/', import.meta.url));
export const PEAK_RSS_LIMIT_BYTES = 320 * 1024 * 1024;

export async function runDemo(options: DemoOptions, ctx: CliContext): Promise<DemoSummary> {
  const started = performance.now();
  const human = !options.json;
  const say = (text: string) => {
    if (human) ctx.stdout(`${text}\n`);
  };
  const outputDir = resolve(options.outputDir ?? 'data');
  const tables = demoTablePaths(outputDir);
  for (const t of [tables.bronze, tables.gold]) if (await removeDemoTable(t)) say(`Removed the previous demo table ${t}`);
  for (const t of await removeLakehouseTables(outputDir)) say(`Removed the previous demo table ${t}`);
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-demo-'));
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const embedded = options.broker.kind === 'embedded';
  // On a real broker every run gets its own topics and application ids; the embedded one starts empty.
  const prefix = embedded ? '' : `demo-${Date.now().toString(36)}-`;
  const topics = {
    input: `${prefix}transactions`,
    late: `${prefix}transactions-late`,
    aggregates: `${prefix}transactions-aggregates`,
    windowedLate: `${prefix}transactions-windowed-late`,
  };
  const { client, admin, name } = await connect(options.broker, ctx.signal);
  const apps: AppRunner[] = [];
  let server: MetricsServer | undefined;
  try {
    await admin.createTopics([{ topic: topics.input, numPartitions: options.partitions }]);
    const commonParams = { 'input-topic': topics.input, 'commit-interval': '1s' };
    const bronzeDef = await loadTopology(join(TOPOLOGIES, 'transactions-bronze.ts'), {
      applicationId: `${prefix}transactions-bronze`,
      windowMs: undefined,
      dataDir: outputDir,
      params: { ...commonParams, 'late-topic': topics.late, watermark: `${options.watermarkMs}ms` },
    });
    const windowedDef = await loadTopology(join(TOPOLOGIES, 'transactions-windowed.ts'), {
      applicationId: `${prefix}transactions-windowed`,
      windowMs: options.windowMs,
      dataDir: outputDir,
      params: { ...commonParams, 'output-topic': topics.aggregates, 'late-topic': topics.windowedLate, grace: `${options.watermarkMs}ms` },
    });
    for (const def of [bronzeDef, windowedDef]) {
      await ensureOutputTopics(admin, def.topics, [topics.input]);
      // TributaryApps: validated config, outage retry, uncaught-error handling; quiet (the summary reports).
      const app = new AppRunner({
        topology: def.topology,
        config: { logger: () => undefined, ...def.config, client, applicationId: def.applicationId, processingGuarantee: 'exactly_once', stateDir },
      });
      apps.push(app);
    }
    const [bronze, windowed] = apps as [AppRunner, AppRunner];
    say(`tributary demo: the seed pipeline on ${name}`);
    say(`  starting ${bronze.applicationId} and ${windowed.applicationId} (exactly once, state in ${stateDir})`);
    if (options.metricsPort !== undefined) {
      server = await serveMetrics(
        apps.map((a) => a.app),
        options.metricsPort,
        ctx.env[METRICS_HOST_ENV],
        options.ui === true,
      );
      say(`  live page at ${server.url}/ (metrics at ${server.url}/metrics)`);
    }
    await Promise.all(apps.map((a) => a.start()));

    const startTime = options.startTime ?? Math.floor((Date.now() - options.numTransactions * options.spacingMs) / 1000) * 1000;
    const generator = {
      seed,
      startTime,
      spacingMs: options.spacingMs,
      lateShare: options.lateShare,
      malformedShare: options.malformedShare,
      watermarkMs: options.watermarkMs,
    };
    say(
      `  producing ${formatCount(options.numTransactions)} transactions to ${topics.input} (seed ${seed}, ${options.partitions} partition${options.partitions === 1 ? '' : 's'})`,
    );
    const produced: ProduceSummary = await produceTransactions({
      client,
      admin,
      topic: topics.input,
      partitions: options.partitions,
      generator,
      count: options.numTransactions,
      intervalMs: 0,
      batchSize: 2000,
      signal: ctx.signal,
      clientId: 'tributary-demo-producer',
    });
    if (produced.stoppedBy === 'signal') throw new TributaryError('Demo interrupted while producing.', { code: 'ILLEGAL_STATE' });

    await waitUntilCaughtUp(apps, admin, options, ctx, topics.input);
    await Promise.all(apps.map((a) => a.close()));
    for (const a of apps)
      await a.done().catch((err: unknown) => {
        throw new TributaryError(`${a.applicationId} failed: ${(err as Error).message}`, { code: 'PROCESSING', cause: err });
      });

    say(`  bronze caught up; running the lakehouse hops bronze → silver → gold (Delta → Delta, no Kafka)`);
    const lakehouse = await runLakehouse(outputDir, stateDir, prefix);
    const bStats = bronze.stats();
    const wStats = windowed.stats();
    const [bronzeTable, goldTable, aggregates] = await Promise.all([
      summarizeTable(tables.bronze),
      summarizeTable(tables.gold),
      readWholeTopic(client, admin, topics.aggregates),
    ]);
    const finalRows = aggregates.map((r) => JSON.parse(r.value!.toString('utf8')) as { dimension: string });
    const model = pipelineModel(generateTransactions(options.numTransactions, generator), {
      partitions: options.partitions,
      watermarkMs: options.watermarkMs,
      windowMs: options.windowMs,
      graceMs: options.watermarkMs,
    });
    const summary: DemoSummary = {
      broker: name,
      seed,
      generator: { ...generator, startTime: new Date(startTime).toISOString() },
      topics: { input: topics.input, late: topics.late, aggregates: topics.aggregates, deadLetter: [bronze.deadLetterTopic, windowed.deadLetterTopic] },
      produced: { records: produced.sent, onTime: produced.onTime, late: produced.late, malformed: produced.malformed },
      bronze: { recordsIn: bStats.recordsIn, rows: bronzeTable.rows, late: bStats.dropped, deadLettered: bStats.deadLettered, table: bronzeTable },
      windowed: {
        recordsIn: wStats.recordsIn,
        windowsEmitted: aggregates.length,
        accountWindows: finalRows.filter((r) => r.dimension === 'account').length,
        merchantWindows: finalRows.filter((r) => r.dimension === 'merchant').length,
        late: wStats.dropped,
        deadLettered: wStats.deadLettered,
        table: goldTable,
      },
      lakehouse,
      model: { ok: true, mismatches: [] },
      wallTimeMs: 0,
      peakRssBytes: 0,
    };
    const mismatches = [...compareWithModel(summary, model), ...lakehouse.mismatches];
    const final: DemoSummary = {
      ...summary,
      model: { ok: mismatches.length === 0, mismatches },
      wallTimeMs: Math.round(performance.now() - started),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    if (options.json) ctx.stdout(`${JSON.stringify(final)}\n`);
    else ctx.stdout(renderSummary(final, options));
    if (server !== undefined && options.ui) {
      // The page stays up with the finished apps' totals, graphs and tables until Ctrl-C.
      ctx.stderr(`The live page stays up at ${server.url}/ — Ctrl-C to exit.\n`);
      await new Promise<void>((r) => (ctx.signal.aborted ? r() : ctx.signal.addEventListener('abort', () => r(), { once: true })));
    }
    if (!final.model.ok) {
      throw new TributaryError(`The demo's output differs from the reference model: ${mismatches.join('; ')}`, { code: 'PROCESSING' });
    }
    return final;
  } finally {
    await Promise.all(apps.map((a) => a.close().catch(() => undefined)));
    await server?.close().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    if (embedded) await (client as { close?: () => Promise<void> }).close?.().catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function connect(broker: BrokerTarget, signal: AbortSignal): Promise<{ client: KafkaClient; admin: Admin; name: string }> {
  if (broker.kind === 'servers') {
    const { client, admin } = await connectKafka(broker.servers, { clientId: 'tributary-demo', signal });
    return { client, admin, name: `the Kafka cluster at ${broker.servers.join(',')}` };
  }
  const { EmbeddedKafka } = await import('../../kafka/embedded/index.js');
  const client = new EmbeddedKafka({ name: 'tributary-demo' });
  const admin = client.admin();
  await admin.connect();
  return { client, admin, name: 'the embedded broker (in process, no setup)' };
}

/** Committed offsets against last stable offsets, per partition, for one group. */
async function behind(admin: Admin, groupId: string, topics: readonly string[], markerSlack: boolean): Promise<number> {
  const committed = new Map((await admin.fetchCommittedOffsets(groupId, topics)).map((c) => [`${c.topic}\0${c.partition}`, c.offset]));
  let total = 0;
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic, { isolation: 'read_committed' })) {
      const lag = Math.max(0, p.high - (committed.get(`${topic}\0${p.partition}`) ?? p.low));
      // A transactional writer's commit marker sits after its last record: one offset never consumed.
      total += markerSlack && lag === 1 ? 0 : lag;
    }
  }
  return total;
}

async function waitUntilCaughtUp(apps: readonly AppRunner[], admin: Admin, options: DemoOptions, ctx: CliContext, input: string): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let previous: AppStats[] | undefined;
  let previousAt = performance.now();
  let quietChecks = 0;
  let shown = false;
  try {
    while (quietChecks < 2) {
      if (ctx.signal.aborted) throw new TributaryError('Demo interrupted.', { code: 'ILLEGAL_STATE' });
      if (Date.now() > deadline)
        throw new TributaryError(`The applications did not catch up within ${Math.round(options.timeoutMs / 1000)} s`, { code: 'PROCESSING' });
      for (const a of apps) if (a.failed) await a.done();
      await sleep(500, ctx.signal);
      const stats = apps.map((a) => a.stats());
      const now = performance.now();
      let lagTotal = 0;
      for (const a of apps) {
        lagTotal += await behind(admin, a.applicationId, [input], false);
        const own = a.sourceTopics.filter((t) => t !== input);
        if (own.length) lagTotal += await behind(admin, a.applicationId, own, true);
      }
      const moved = previous === undefined || stats.some((s, i) => s.recordsIn !== previous![i]!.recordsIn);
      quietChecks = lagTotal === 0 && !moved ? quietChecks + 1 : 0;
      if (ctx.stderrIsTTY) {
        shown = true;
        const line = stats
          .map((s, i) =>
            progressLine({ stats: s, lag: undefined, graceMs: 0 }, rates(previous?.[i], s, now - previousAt))
              .split(' · ')
              .slice(0, 3)
              .join(' · '),
          )
          .join('  |  ');
        ctx.stderr(terminalLine(`${line}  |  lag ${formatCount(lagTotal)}`, process.stderr.columns));
      }
      previous = stats;
      previousAt = now;
    }
  } finally {
    if (shown) ctx.stderr('\n');
  }
}

function compareWithModel(s: DemoSummary, m: PipelineModel): string[] {
  const out: string[] = [];
  const check = (what: string, actual: number, expected: number) => {
    if (actual !== expected) out.push(`${what}: ${actual}, model ${expected}`);
  };
  check('bronze rows', s.bronze.rows, m.bronze.length);
  check('bronze late', s.bronze.late, m.bronzeLate.length);
  check('bronze dead-lettered', s.bronze.deadLettered, m.deadLettered.length);
  check('windowed dead-lettered', s.windowed.deadLettered, m.deadLettered.length);
  check('account windows', s.windowed.accountWindows, m.accountWindows.length);
  if (m.merchantWindows) check('merchant windows', s.windowed.merchantWindows, m.merchantWindows.length);
  if (m.merchantLate) check('windowed late', s.windowed.late, m.accountLate.length + m.merchantLate.length);
  check('gold table rows', s.windowed.table.rows, s.windowed.windowsEmitted);
  return out;
}

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

export function renderSummary(s: DemoSummary, o: DemoOptions): string {
  const pad = (label: string) => `  ${label.padEnd(20)}`;
  const lines = [
    '',
    'Summary',
    `${pad('records in')}${formatCount(s.produced.records)} transactions → ${s.topics.input} (${formatCount(s.produced.onTime)} on time, ${formatCount(s.produced.late)} late, ${formatCount(s.produced.malformed)} malformed; seed ${s.seed}, start ${s.generator.startTime})`,
    `${pad('bronze rows')}${formatCount(s.bronze.rows)} → ${s.bronze.table.path} (Delta version ${s.bronze.table.version}, ${s.bronze.table.files} files, partitioned by event_date)`,
    `${pad('late (watermark)')}${formatCount(s.bronze.late)} → ${s.topics.late} (older than ${o.watermarkMs / 60_000} min behind the stream)`,
    `${pad('dead-lettered')}${formatCount(s.bronze.deadLettered)} → ${s.topics.deadLetter[0]} (reason in header tributary.error.reason)`,
    `${pad('windows emitted')}${formatCount(s.windowed.windowsEmitted)} final (${formatCount(s.windowed.merchantWindows)} merchant, ${formatCount(s.windowed.accountWindows)} account; ${formatCount(s.windowed.late)} late) → ${s.topics.aggregates}`,
    `${pad('gold rows')}${formatCount(s.windowed.table.rows)} → ${s.windowed.table.path} (Delta version ${s.windowed.table.version}, ${s.windowed.table.files} files)`,
    `${pad('silver rows')}${formatCount(s.lakehouse.silver.rows)} → ${s.lakehouse.silver.path} (${formatCount(s.lakehouse.duplicates)} duplicates dropped; ${(s.lakehouse.silverMs / 1000).toFixed(1)} s)`,
    `${pad('quarantined')}${formatCount(s.lakehouse.quarantine.rows)} → ${s.lakehouse.quarantine.path}`,
    `${pad('gold totals')}${formatCount(s.lakehouse.daily.rows)} days → ${s.lakehouse.daily.path}, ${formatCount(s.lakehouse.merchants.rows)} merchants → ${s.lakehouse.merchants.path} (${(s.lakehouse.goldMs / 1000).toFixed(1)} s)`,
    `${pad('model check')}${s.model.ok ? 'ok — rows, late, dead letters, windows, silver, quarantine and gold equal the reference models' : `MISMATCH: ${s.model.mismatches.join('; ')}`}`,
    `${pad('wall time')}${(s.wallTimeMs / 1000).toFixed(1)} s`,
    `${pad('peak RSS')}${mb(s.peakRssBytes)}${s.peakRssBytes > PEAK_RSS_LIMIT_BYTES ? ` (above the ${mb(PEAK_RSS_LIMIT_BYTES)} budget)` : ''}`,
    '',
  ];
  return lines.join('\n');
}
