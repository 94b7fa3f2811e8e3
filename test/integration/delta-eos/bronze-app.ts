/**
 * The application the exactly-once chaos test kills: transactions (4 partitions, JSON) ─▶
 * schema check at the source (invalid JSON → dead-letter) ─▶ enrichment (USD amount, event date,
 * Kafka position) ─▶ deltaSink (zod schema; misfits → dead-letter with the reason) partitioned
 * by event_date. Exactly-once, one process, all four tasks.
 *
 * Run as a child process: `node --import tsx bronze-app.ts` with env
 *   KAFKA_BOOTSTRAP_SERVERS, EOS_TOPIC, EOS_TABLE, EOS_APP_ID, EOS_STATE_DIR,
 *   EOS_COMMIT_MS (Delta commit interval, default 1000),
 *   EOS_CRASH_IN_COMMIT (probability to SIGKILL itself right after a Delta commit, before the
 *   task's Kafka commit — the window the ordering rule is about; default 0).
 * Runs as a `TributaryApp` with its signal handlers (as `tributary run` hosts an app): SIGTERM closes
 * cleanly, a second one exits at once. Prints one JSON line per Delta commit and `ready`/`closed` lines.
 */
import { z } from 'zod';
import { deltaSink } from '../../../lib/connectors/delta/index.js';
import { Consumed, Named } from '../../../lib/dsl/index.js';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { createKafkaClient, defaultKafkaClient, kafkaClientFromEnv } from '../../../lib/kafka/index.js';
import type { ConsumerOptions, KafkaClient } from '../../../lib/kafka/types.js';
import { TributaryApp } from '../../../lib/app/index.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { TransactionEventSchema } from '../../../topologies/transactions-schema.js';

const env = (k: string, d?: string): string => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`missing env ${k}`);
  return v;
};

export const BronzeSchema = TransactionEventSchema.extend({
  event_date: z.iso.date(),
  amount_usd: z.number(),
  kafka_topic: z.string(),
  kafka_partition: z.int32(),
  kafka_offset: z.int(),
});

const USD: Record<string, number> = { USD: 1, EUR: 1.08, GBP: 1.27, JPY: 0.0067, CAD: 0.73, AUD: 0.66, CHF: 1.12, SEK: 0.095 };

/** Enrichment that never throws: what cannot be derived stays undefined and the schema rejects the row. */
function enrich(v: Record<string, unknown>): Record<string, unknown> {
  const ts = typeof v['transaction_timestamp'] === 'string' ? Date.parse(v['transaction_timestamp']) : NaN;
  const rate = typeof v['currency'] === 'string' ? USD[v['currency']] : undefined;
  const amount = v['amount'];
  return {
    ...v,
    event_date: Number.isFinite(ts) ? new Date(ts).toISOString().slice(0, 10) : undefined,
    amount_usd: typeof amount === 'number' && rate !== undefined ? Math.round(amount * rate * 100) / 100 : undefined,
  };
}

/** Short session timeout so a killed member leaves the group quickly (kafkajs default: 30 s). */
function withFastSessions(client: KafkaClient): KafkaClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'consumer')
        return (o: ConsumerOptions) => target.consumer({ sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 10_000, ...o });
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

async function main(): Promise<void> {
  const topic = env('EOS_TOPIC');
  const crashP = Number(env('EOS_CRASH_IN_COMMIT', '0'));
  const firstSeen = new Set<number>();
  const b = new StreamsBuilder();
  b.stream<string, Record<string, unknown>>(topic, Consumed.with(Serdes.string(), Serdes.json<Record<string, unknown>>()))
    .mapValues((v) => enrich(v), Named.as('enrich'))
    .process(
      deltaSink<string, Record<string, unknown>>({
        table: env('EOS_TABLE'),
        schema: BronzeSchema,
        partitionBy: ['event_date'],
        toRow: (r, src) => {
          if (!firstSeen.has(src.partition)) {
            firstSeen.add(src.partition);
            process.stderr.write(`[${new Date().toISOString()}] first offset at the sink: ${src.partition}@${src.offset}\n`);
          }
          return { ...r.value, kafka_topic: src.topic, kafka_partition: src.partition, kafka_offset: src.offset };
        },
        commitIntervalMs: Number(env('EOS_COMMIT_MS', '1000')),
        onCommit: (c) => {
          process.stdout.write(`${JSON.stringify({ commit: c.version, task: c.taskId, rows: c.rows, files: c.files })}\n`);
          process.stderr.write(
            `[${new Date().toISOString()}] delta v${c.version} ${c.taskId} ${c.positions.map((p) => `${p.partition}@${p.offset}`).join(',')}\n`,
          );
          if (crashP > 0 && Math.random() < crashP) {
            process.stdout.write('crash-in-commit\n');
            process.kill(process.pid, 'SIGKILL');
          }
        },
      }),
      { named: Named.as('bronze-delta') },
    );
  const client = withFastSessions(
    createKafkaClient({
      bootstrapServers: env('KAFKA_BOOTSTRAP_SERVERS'),
      clientId: 'delta-eos-app',
      // TRIBUTARY_KAFKA_CLIENT=kafkajs runs the app on the other client.
      client: kafkaClientFromEnv() ?? defaultKafkaClient(),
    }),
  );
  const app = new TributaryApp(b.build(), {
    client,
    applicationId: env('EOS_APP_ID'),
    processingGuarantee: 'exactly_once',
    stateDir: env('EOS_STATE_DIR'),
    installSignalHandlers: true,
    logger: (level, message) => process.stderr.write(`[${new Date().toISOString()}] ${level} ${message}\n`),
  });
  await app.start();
  process.stdout.write('ready\n');
  const final = await app.done();
  if (final !== 'NOT_RUNNING') {
    const e = app.error;
    process.stderr.write(`bronze-app stopped (${final}): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  }
  process.stdout.write('closed\n');
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`bronze-app failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
