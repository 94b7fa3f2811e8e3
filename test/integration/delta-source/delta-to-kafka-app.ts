/**
 * A Delta → Kafka application as a child process (delta-to-kafka.test.ts SIGKILLs it): reads the
 * bronze table BRONZE with `deltaStream` in the ordinary Kafka runtime (exactly once) and writes
 *
 * - OUT: one record per bronze row, key = `<transaction_id>/<source_offset>` (unique per row),
 *   value `<key>|<seq>` where
 *   seq counts the rows so far in a changelogged store of the source's own task (so a replay
 *   that did not restore the store together with the source position shows as a repeated or
 *   missing seq);
 * - COUNTS: rows per merchant (groupBy → repartition → count, a second sub-topology).
 *
 * Runs until SIGTERM; prints `log …` lines and `processed <n>` after commits.
 */
import { StreamsBuilder, Grouped, Materialized, Produced, Serdes } from '../../../lib/index.js';
import { createKafkaClient, defaultKafkaClient, kafkaClientFromEnv } from '../../../lib/kafka/index.js';
import { StreamsRuntime } from '../../../lib/runtime/streams-runtime.js';
import { Stores } from '../../../lib/state/stores.js';
import type { KeyValueStore, StateStore } from '../../../lib/state/types.js';
import type { ProcessorContext, Record as StreamRecord } from '../../../lib/topology/processor.js';
import { withValue } from '../../../lib/topology/record.js';

const env = (k: string): string => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`missing env ${k}`);
  return v;
};

interface BronzeRow {
  readonly transaction_id: string;
  readonly source_offset: number;
  readonly merchant_id: string;
}

function buildDeltaToKafka(bronze: string, out: string, counts: string): StreamsBuilder {
  const b = new StreamsBuilder();
  b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('row-seq'), Serdes.string(), Serdes.int64()));
  const rows = b.deltaStream<BronzeRow>(bronze, { sourceName: 'bronze', maxRowsPerBatch: 700 });
  rows
    .processValues<string>(
      () => {
        let store: KeyValueStore<string, number>;
        let ctx: ProcessorContext<null, string>;
        return {
          init: (c: ProcessorContext<null, string>) => {
            ctx = c;
            store = c.getStateStore<KeyValueStore<string, number> & StateStore>('row-seq');
            // The restored count, for the test to compare with where the source resumed.
            process.stdout.write(`log seq-init n=${store.get('n') ?? 0}\n`);
          },
          process: (r: StreamRecord<null, BronzeRow>) => {
            const seq = (store.get('n') ?? 0) + 1;
            store.put('n', seq);
            ctx.forward(withValue(r, `${r.value.transaction_id}/${r.value.source_offset}|${seq}`));
          },
        };
      },
      { stores: ['row-seq'] },
    )
    .selectKey((_k, v) => v.slice(0, v.indexOf('|')))
    .to(out, Produced.with(Serdes.string(), Serdes.string()));
  rows
    .groupBy((_k, r) => r.merchant_id, Grouped.with(Serdes.string(), Serdes.json<BronzeRow>()).withName('by-merchant'))
    .count(Materialized.as('merchant-counts'))
    .toStream()
    .to(counts, Produced.with(Serdes.string(), Serdes.int64()));
  return b;
}

async function main(): Promise<void> {
  const client = createKafkaClient({
    bootstrapServers: env('KAFKA_BOOTSTRAP_SERVERS'),
    clientId: 'delta-to-kafka',
    // TRIBUTARY_KAFKA_CLIENT=kafkajs runs the app on the other client.
    client: kafkaClientFromEnv() ?? defaultKafkaClient(),
  });
  const topology = buildDeltaToKafka(env('BRONZE'), env('OUT'), env('COUNTS')).build();
  const runtime = new StreamsRuntime({
    topology,
    client,
    config: {
      applicationId: env('APP_ID'),
      processingGuarantee: 'exactly_once',
      stateDir: env('STATE_DIR'),
      commitIntervalMs: 200,
      // A SIGKILLed member holds its partitions until its session expires: keep that short.
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
      logger: (level, message) => process.stdout.write(`log ${level} ${message}\n`),
    },
  });
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
    void runtime.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  await runtime.start();
  let last = -1;
  const timer = setInterval(() => {
    if (stopping) return;
    const n = runtime.metrics().reduce((s, m) => s + m.processed, 0);
    if (n !== last) process.stdout.write(`processed ${n}\n`);
    last = n;
  }, 100);
  try {
    await runtime.done();
  } finally {
    clearInterval(timer);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`delta-to-kafka-app failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
