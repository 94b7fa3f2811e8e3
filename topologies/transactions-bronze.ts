/**
 * The seed's streaming consumer (`streaming_consumer.py`) as a tributary topology:
 *
 *   transactions ─▶ schema enforcement (zod serde; malformed → dead-letter topic with the reason)
 *                ─▶ event time from transaction_timestamp (missing/invalid → dead-letter topic)
 *                ─▶ metadata enrichment (source topic, partition, offset, ingest time, event date)
 *                ─▶ 10-minute watermark ─┬─ late ─▶ transactions-late (tributary.late.* headers)
 *                                        └─ on time ─▶ Delta bronze table, partitioned by event_date
 *
 * Run: `tributary run topologies/transactions-bronze.ts --bootstrap-servers 127.0.0.1:9092`.
 * Params (`--param key=value`): `input-topic` (transactions), `late-topic` (transactions-late),
 * `watermark` (10 minutes), `table` (`<data-dir>/bronze/transactions`), `commit-interval` (5 s:
 * how long rows may wait before a Delta commit). The dead-letter topic is the application's
 * (`<application-id>-dlq`); `run` creates the late topic when missing.
 */
import { Branched, Consumed, Named, Produced, Serdes, StreamsBuilder, TimestampExtractors, type KStream, type Topology } from '../lib/index.js';
import { deltaTable } from './support/delta.js';
import { enrichWithMetadata } from './support/enrich.js';
import { Params, tablePath, type TopologyFactoryOptions } from './support/options.js';
import { watermark, type Checked } from './support/watermark.js';
import { BronzeRowSchema, eventDate, type BronzeRow } from './transactions-rows.js';
import { TransactionEventSchema, type TransactionEvent } from './transactions-schema.js';

export const applicationId = 'transactions-bronze';

export const BRONZE_PARAMS = ['input-topic', 'late-topic', 'watermark', 'table', 'commit-interval'] as const;

export interface BronzeSettings {
  readonly inputTopic: string;
  readonly lateTopic: string;
  readonly watermarkMs: number;
  readonly tableDir: string;
  readonly commitIntervalMs: number;
}

export function bronzeSettings(options: TopologyFactoryOptions = {}): BronzeSettings {
  const p = new Params(options, BRONZE_PARAMS);
  return {
    inputTopic: p.string('input-topic', 'transactions'),
    lateTopic: p.string('late-topic', 'transactions-late'),
    watermarkMs: p.durationMs('watermark', '10 minutes'),
    tableDir: p.string('table', tablePath(options, 'bronze', 'transactions')),
    commitIntervalMs: p.durationMs('commit-interval', '5 seconds'),
  };
}

/**
 * Everything up to the bronze table: returns the on-time rows (the late ones are already routed
 * to the late topic). Shared with tests that check the Kafka side without a table.
 */
export function bronzeRows(builder: StreamsBuilder, s: BronzeSettings): KStream<string, BronzeRow> {
  const checked = builder
    .stream(
      s.inputTopic,
      Consumed.with(Serdes.string(), Serdes.zod(TransactionEventSchema))
        .withTimestampExtractor(TimestampExtractors.field('transaction_timestamp'))
        .withName('transactions-source'),
    )
    .processValues(
      enrichWithMetadata<string, TransactionEvent, BronzeRow>((event, meta) => ({ ...event, event_date: eventDate(event), ...meta })),
      { named: Named.as('enrich-metadata') },
    )
    .processValues(watermark<string, BronzeRow>(s.watermarkMs, 'bronze-watermark'), { named: Named.as('bronze-watermark') });

  const branches = checked
    .split(Named.as('lateness-'))
    .branch((_k, v) => v.late, Branched.as('late'))
    .defaultBranch(Branched.as('on-time'));
  const late = branches.get('lateness-late')!;
  const onTime = branches.get('lateness-on-time')!;

  // Late records keep the original event (not the enrichment) plus the tributary.late.* headers.
  late
    .mapValues((v: Checked<BronzeRow>) => originalEvent(v.value), Named.as('late-original'))
    .to(s.lateTopic, Produced.with(Serdes.string(), Serdes.json<TransactionEvent>()).withName('late-sink'));
  return onTime.mapValues((v: Checked<BronzeRow>) => v.value, Named.as('on-time-rows'));
}

function originalEvent(row: BronzeRow): TransactionEvent {
  const { event_date: _d, source_topic: _t, source_partition: _p, source_offset: _o, ingest_time: _i, ...event } = row;
  return event;
}

export default function buildBronze(options: TopologyFactoryOptions = {}): { topology: Topology; topics: { topic: string }[] } {
  const s = bronzeSettings(options);
  const builder = new StreamsBuilder();
  deltaTable(bronzeRows(builder, s), {
    tableDir: s.tableDir,
    schema: BronzeRowSchema,
    partitionBy: ['event_date'],
    name: 'transactions_bronze',
    description: 'Valid, on-time transaction events with Kafka source metadata (tributary transactions-bronze)',
    commitIntervalMs: s.commitIntervalMs,
  });
  return { topology: builder.build(), topics: [{ topic: s.lateTopic }] };
}
