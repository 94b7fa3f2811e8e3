/**
 * The tributary side of bench:peers: the same two workloads as the Kafka Streams and Quix peers,
 * written against tributary's public API (lib/index.ts), run as its own process so its peak RSS
 * is its own.
 *
 * Usage: node --import tsx bench/peers/tributary-runner.ts <stateless|windowed> <bootstrap>
 *          <input> <output> <applicationId> <stateDir>
 *
 * Prints `FIRST <epoch ms>` when the first input record reaches the topology (the harness times
 * from there), then runs until SIGTERM/SIGINT. Exactly-once, 100 ms commits, from the beginning.
 * Env: `PEERS_GRACE_MS` (the windowed case's grace; default 600000, the harness always sets it),
 * `BENCH_KAFKA_CLIENT` (`kafkajs` default, or `platformatic`: config `kafkaClient`),
 * `BENCH_PEERS_GUARANTEE` (`exactly_once` default, or `exactly_once_v2`: platformatic only).
 */
import { BufferConfig, Consumed, Grouped, Produced, Serdes, StreamsBuilder, Suppressed, TimeWindows, TributaryApp } from '../../lib/index.js';
import type { KafkaClientKind } from '../../lib/kafka/index.js';
import type { ProcessingGuarantee } from '../../lib/runtime/config.js';

interface Txn {
  readonly amount: number;
  readonly merchant_id: string;
  readonly [field: string]: unknown;
}

const [mode, bootstrap, input, output, applicationId, stateDir] = process.argv.slice(2) as [string, string, string, string, string, string];
if (stateDir === undefined) {
  process.stderr.write('usage: tributary-runner.ts <stateless|windowed> <bootstrap> <input> <output> <applicationId> <stateDir>\n');
  process.exit(2);
}

const graceMs = Number(process.env['PEERS_GRACE_MS'] ?? 600_000);
const kafkaClient = (process.env['BENCH_KAFKA_CLIENT'] ?? 'kafkajs') as KafkaClientKind;

let first = true;
function markFirst(): void {
  if (first) {
    first = false;
    process.stdout.write(`FIRST ${Date.now()}\n`);
  }
}

const str = Serdes.string();
const txn = Serdes.json<Txn>();
const builder = new StreamsBuilder({ logger: () => {} });
const events = builder.stream(input, Consumed.with(str, txn));
if (mode === 'stateless') {
  events
    .filter((_k, v) => {
      markFirst();
      return v.amount > 0;
    })
    .mapValues((v) => ({ ...v, amount_cents: Math.round(v.amount * 100) }))
    .to(output, Produced.with(str, Serdes.json<Txn & { amount_cents: number }>()));
} else if (mode === 'windowed') {
  events
    .selectKey((_k, v) => {
      markFirst();
      return v.merchant_id;
    })
    .groupByKey(Grouped.with(str, txn))
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, graceMs))
    .count()
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .map((w, count) => ({ key: `${w.key}@${w.window.start}`, value: String(count) }))
    .to(output, Produced.with(str, str));
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}

const app = new TributaryApp(builder.build(), {
  applicationId,
  bootstrapServers: bootstrap,
  kafkaClient,
  clientId: applicationId,
  processingGuarantee: (process.env['BENCH_PEERS_GUARANTEE'] ?? 'exactly_once') as ProcessingGuarantee,
  commitIntervalMs: 100,
  stateDir,
  autoOffsetReset: 'earliest',
});

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await app.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

app.onStateChange((next) => {
  if (next === 'ERROR' && !closing) {
    process.stderr.write('[tributary-runner] app failed (state ERROR)\n');
    process.exit(1);
  }
});
await app.start();
process.stderr.write(`[tributary-runner] started ${applicationId}\n`);
