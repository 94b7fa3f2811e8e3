// One runner of the failover bench (bench/failover.ts): counts records per key (persistent store,
// exactly-once, 100 ms commits) and prints JSON lines on stdout: its log, and every 250 ms its RSS,
// restored records and standby metrics. Configured by environment (see bench/failover.ts).
import { Consumed, Materialized, Produced, StreamsBuilder } from '../../lib/dsl/index.js';
import { createKafkaClient } from '../../lib/kafka/index.js';
import { StreamsRuntime } from '../../lib/runtime/streams-runtime.js';
import { Serdes } from '../../lib/serde/serdes.js';

const env = (k: string): string => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};
const out = (o: object) => process.stdout.write(`${JSON.stringify({ t: Date.now(), ...o })}\n`);

const builder = new StreamsBuilder();
builder
  .stream(env('FAILOVER_IN'), Consumed.with(Serdes.string(), Serdes.string()))
  .groupByKey()
  .count(Materialized.as('counts'))
  .toStream()
  .to(env('FAILOVER_OUT'), Produced.with(Serdes.string(), Serdes.int64()));

const sessionTimeoutMs = Number(process.env['FAILOVER_SESSION_MS'] ?? 6000);
const runtime: StreamsRuntime = new StreamsRuntime({
  topology: builder.build(),
  client: createKafkaClient({
    bootstrapServers: env('FAILOVER_BOOTSTRAP'),
    clientId: env('FAILOVER_NAME'),
    client: process.env['BENCH_KAFKA_CLIENT'] === 'platformatic' ? 'platformatic' : 'kafkajs',
  }),
  config: {
    applicationId: env('FAILOVER_APP'),
    bootstrapServers: env('FAILOVER_BOOTSTRAP'),
    clientId: env('FAILOVER_NAME'),
    stateDir: env('FAILOVER_STATE_DIR'),
    commitIntervalMs: 100,
    sessionTimeoutMs,
    heartbeatIntervalMs: Math.floor(sessionTimeoutMs / 3),
    numStandbyReplicas: Number(env('FAILOVER_STANDBYS')),
    installSignalHandlers: false,
    logger: (level, message) => {
      const restored = [...runtime.restores.values()].reduce((a, p) => a + p.restored, 0);
      out({ level, message, restored });
    },
  },
});

const status = () =>
  out({
    status: true,
    rss: process.memoryUsage().rss,
    restored: [...runtime.restores.values()].reduce((a, p) => a + p.restored, 0),
    tasks: runtime.tasks().map((t) => t.id),
    standby: runtime.standby.metrics(),
  });
setInterval(status, 250).unref();
process.on('SIGTERM', () => {
  void runtime.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
await runtime.start();
out({ started: true });
