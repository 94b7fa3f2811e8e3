/**
 * The chaos workload: a windowed aggregation over a repartition topic, and its reference model.
 *
 *   input (4 partitions, value `id|user`, timestamp base + id * STEP)
 *     ─▶ selectKey(user) ─▶ groupByKey ─▶ <app>-chaos-agg-repartition (4 partitions)
 *     ─▶ windowedBy(TimeWindows 10 s, grace 1 day) ─▶ aggregate {c: count, s: sum of ids}
 *     ─▶ toStream ─▶ output (key: user + window start, value: JSON {c, s})
 *
 * Every input id contributes exactly once to exactly one window: the final `{c, s}` per
 * window equals the model's only if no record was lost (c, s too small) or counted twice (too
 * big). The grace covers the whole time range, so no record is ever late.
 */
import { Consumed, Grouped, Materialized, Produced, StreamsBuilder } from '../../lib/dsl/index.js';
import { TimeWindows } from '../../lib/dsl/windows/index.js';
import { Serdes } from '../../lib/serde/serdes.js';
import type { Topology } from '../../lib/topology/topology.js';

/** Partitions of the input, output and repartition topics; `CHAOS_PARTITIONS` (inherited by the runners) overrides 4. */
export const PARTITIONS = chaosPartitions(process.env['CHAOS_PARTITIONS']);
function chaosPartitions(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new Error(`CHAOS_PARTITIONS must be an integer from 1 to 1024, got "${raw}"`);
  return n;
}
export const WINDOW_MS = 10_000;
export const KEYS = 300;
export const STEP_MS = 2;
export const GROUP_NAME = 'chaos-agg';
export const STORE_NAME = 'chaos-agg-store';

export interface Aggregate {
  readonly c: number;
  readonly s: number;
}

const str = Serdes.string();
export const windowedKeySerde = Serdes.timeWindowed(str, WINDOW_MS);
export const aggregateSerde = Serdes.json<Aggregate>();

export function userOf(id: number): string {
  // A fixed scramble so consecutive ids spread over users (and partitions).
  return `u${(Math.imul(id, 2654435761) >>> 0) % KEYS}`;
}

/**
 * Timestamps of a run: `base + id * STEP_MS`, ending an hour ago. Recent on purpose: the broker's
 * time-based retention (7 days) would delete segments of older records under the test's feet.
 */
export function chaosBase(records: number, now = Date.now()): number {
  const base = now - records * STEP_MS - 3_600_000;
  return base - (base % WINDOW_MS);
}

export function timestampOf(id: number, base: number): number {
  return base + id * STEP_MS;
}

export function windowStartOf(ts: number): number {
  return ts - (ts % WINDOW_MS);
}

export function buildChaosTopology(input: string, output: string): Topology {
  const b = new StreamsBuilder({ logger: () => {} });
  b.stream(input, Consumed.with(str, str))
    .selectKey((_k, v) => v.slice(v.indexOf('|') + 1))
    .groupByKey(Grouped.as<string, string>(GROUP_NAME).withKeySerde(str).withValueSerde(str))
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, 24 * 3600_000))
    .aggregate<Aggregate>(
      () => ({ c: 0, s: 0 }),
      (_k, v, agg) => ({ c: agg.c + 1, s: agg.s + Number(v.slice(0, v.indexOf('|'))) }),
      Materialized.as<string, Aggregate>(STORE_NAME).withKeySerde(str).withValueSerde(aggregateSerde),
    )
    .toStream()
    .to(output, Produced.with(windowedKeySerde, aggregateSerde));
  return b.build();
}

/** `user@windowStart` → the aggregate every committed output must converge to. */
export function referenceModel(records: number, base: number): Map<string, Aggregate> {
  const model = new Map<string, { c: number; s: number }>();
  for (let id = 0; id < records; id++) {
    const k = `${userOf(id)}@${windowStartOf(timestampOf(id, base))}`;
    const a = model.get(k);
    if (a === undefined) model.set(k, { c: 1, s: id });
    else {
      a.c++;
      a.s += id;
    }
  }
  return model;
}
