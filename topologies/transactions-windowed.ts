/**
 * The seed's aggregated streaming job (`streaming_consumer.py --aggregated --window "1 minute"`)
 * as a tributary topology: per-merchant and per-account tumbling windows over event time
 * (`transaction_timestamp`) with count, sum, average and max amount; a 10-minute grace (the
 * seed's watermark); final results only (`suppress(untilWindowCloses)`, Spark's append mode).
 *
 *   transactions ─▶ zod serde + event time (bad → DLQ) ─┬─ groupByKey (account) ──────────┐
 *                                                       └─ groupBy merchant (repartition) ┤
 *            windowedBy(TimeWindows(window, grace)) ─▶ aggregate ─▶ suppress ─▶ rows ◀────┘
 *                           │ late → transactions-windowed-late           └─▶ transactions-aggregates (topic)
 *                                                                                  │
 *                               transactions-aggregates ─▶ Delta gold table (by window_date)
 *
 * Run: `tributary run topologies/transactions-windowed.ts --window "1 minute"`.
 * Params: `input-topic` (transactions), `output-topic` (transactions-aggregates), `late-topic`
 * (transactions-windowed-late), `grace` (10 minutes), `table` (`<data-dir>/gold/transaction_aggregates`),
 * `commit-interval` (5 s). `run` creates the output and late topics when missing.
 */
import {
  BufferConfig,
  Consumed,
  Grouped,
  Materialized,
  Named,
  Produced,
  Serdes,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  TimestampExtractors,
  type KStream,
  type Topology,
  type Windowed,
} from '../lib/index.js';
import { deltaTable } from './support/delta.js';
import { Params, tablePath, type TopologyFactoryOptions } from './support/options.js';
import {
  addAmount,
  aggregateKey,
  aggregateRow,
  AggregateRowSchema,
  EMPTY_STATS,
  type AggregateDimension,
  type AggregateRow,
  type AmountStats,
} from './transactions-rows.js';
import { TransactionEventSchema, type TransactionEvent } from './transactions-schema.js';

export const applicationId = 'transactions-windowed';

export const WINDOWED_PARAMS = ['input-topic', 'output-topic', 'late-topic', 'grace', 'table', 'commit-interval'] as const;

export interface WindowedSettings {
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly lateTopic: string;
  readonly windowMs: number;
  readonly graceMs: number;
  readonly tableDir: string;
  readonly commitIntervalMs: number;
}

export const DEFAULT_WINDOW_MS = 60_000;

export function windowedSettings(options: TopologyFactoryOptions = {}): WindowedSettings {
  const p = new Params(options, WINDOWED_PARAMS);
  return {
    inputTopic: p.string('input-topic', 'transactions'),
    outputTopic: p.string('output-topic', 'transactions-aggregates'),
    lateTopic: p.string('late-topic', 'transactions-windowed-late'),
    windowMs: options.windowMs ?? DEFAULT_WINDOW_MS,
    graceMs: p.durationMs('grace', '10 minutes'),
    tableDir: p.string('table', tablePath(options, 'gold', 'transaction_aggregates')),
    commitIntervalMs: p.durationMs('commit-interval', '5 seconds'),
  };
}

const statsSerde = Serdes.json<AmountStats>();

function windowedAggregate(
  grouped: ReturnType<KStream<string, TransactionEvent>['groupByKey']>,
  dimension: AggregateDimension,
  s: WindowedSettings,
): KStream<string, AggregateRow> {
  return grouped
    .windowedBy(TimeWindows.ofSizeAndGrace(s.windowMs, s.graceMs), {
      lateRecords: { topic: s.lateTopic, keySerde: Serdes.string(), valueSerde: Serdes.json<TransactionEvent>() },
    })
    .aggregate(
      () => EMPTY_STATS,
      (_key, event, stats) => addAmount(stats, event.amount),
      Materialized.as<string, AmountStats>(`${dimension}-window-stats`).withKeySerde(Serdes.string()).withValueSerde(statsSerde),
      Named.as(`${dimension}-window-aggregate`),
    )
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName(`${dimension}-final`))
    .toStream(Named.as(`${dimension}-final-stream`))
    .filter((_k, v) => v !== null, Named.as(`${dimension}-drop-tombstones`))
    .map(
      (w: Windowed<string>, stats: AmountStats | null) => {
        const row = aggregateRow(dimension, w.key, w.window.start, w.window.end, stats!);
        return { key: aggregateKey(row), value: row };
      },
      Named.as(`${dimension}-rows`),
    );
}

/**
 * Both aggregates, written to the output topic. Two sinks rather than a merge: merging would fuse
 * the per-account sub-topology with the per-merchant one that reads the repartition topic.
 */
export function aggregateRows(builder: StreamsBuilder, s: WindowedSettings): void {
  const events = builder.stream(
    s.inputTopic,
    Consumed.with(Serdes.string(), Serdes.zod(TransactionEventSchema))
      .withTimestampExtractor(TimestampExtractors.field('transaction_timestamp'))
      .withName('transactions-source'),
  );
  const perAccount = windowedAggregate(events.groupByKey(Grouped.as('by-account')), 'account', s);
  const perMerchant = windowedAggregate(
    events.groupBy((_k, e) => e.merchant_id, Grouped.with<string, TransactionEvent>(Serdes.string(), Serdes.json<TransactionEvent>()).withName('by-merchant')),
    'merchant',
    s,
  );
  const produced = Produced.with(Serdes.string(), Serdes.json<AggregateRow>());
  perAccount.to(s.outputTopic, produced.withName('account-aggregates-sink'));
  perMerchant.to(s.outputTopic, produced.withName('merchant-aggregates-sink'));
}

/**
 * The gold table is fed from the output topic (a sub-topology of its own): suppressed results
 * leave the aggregation on a store flush, without an input position, and the exactly-once Delta
 * sink needs one per row — the output topic gives every final row its own offset.
 */
export default function buildWindowed(options: TopologyFactoryOptions = {}): { topology: Topology; topics: { topic: string }[] } {
  const s = windowedSettings(options);
  const builder = new StreamsBuilder();
  aggregateRows(builder, s);
  const finalRows = builder.stream(s.outputTopic, Consumed.with(Serdes.string(), Serdes.json<AggregateRow>()).withName('aggregates-source'));
  deltaTable(finalRows, {
    tableDir: s.tableDir,
    schema: AggregateRowSchema,
    partitionBy: ['window_date'],
    name: 'transaction_aggregates',
    description: 'Final per-merchant and per-account window aggregates (tributary transactions-windowed)',
    commitIntervalMs: s.commitIntervalMs,
  });
  return { topology: builder.build(), topics: [{ topic: s.outputTopic }, { topic: s.lateTopic }] };
}
