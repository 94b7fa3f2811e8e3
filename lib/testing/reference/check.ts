/**
 * `checkTopologyAgainstModel`: runs a topology in the `TopologyTestDriver` (the real runtime on
 * the embedded broker) over a list of events and compares what it wrote to an output topic with
 * a reference function over the same events — so users fuzz their own windowing with the
 * arbitraries of `tributary/testing`. Throws `ModelMismatchError` listing the differences;
 * inside `fc.assert(fc.asyncProperty(...))` fast-check then shrinks to a minimal input.
 *
 * ```ts
 * await fc.assert(fc.asyncProperty(eventStream({ maxDisorderMs: 500 }), (events) =>
 *   checkTopologyAgainstModel({ topology: build, input, output, events, model })), { numRuns: 1000 });
 * ```
 */
import type { Headers } from '../../kafka/types.js';
import type { TaskMetricsSnapshot } from '../../runtime/task-metrics.js';
import type { Serde } from '../../serde/types.js';
import type { Topology } from '../../topology/topology.js';
import { TopologyTestDriver, type TopologyTestDriverConfig } from '../topology-test-driver.js';
import type { OutputRecord } from '../test-record.js';

/** An input event of `checkTopologyAgainstModel`: key, value and timestamp. */
export interface CheckEvent<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly partition?: number;
  readonly headers?: Headers;
}

/** Options of `checkTopologyAgainstModel`: the topology, its topics and serdes, the model and the events. */
export interface CheckOptions<K, V, KO, VO> {
  /** A topology, or a function building a fresh one (a `StreamsBuilder` builds once). */
  readonly topology: Topology | (() => Topology);
  readonly input: { readonly topic: string; readonly keySerde: Serde<K>; readonly valueSerde: Serde<V>; readonly partitions?: number };
  readonly output: { readonly topic: string; readonly keySerde: Serde<KO>; readonly valueSerde: Serde<VO>; readonly partitions?: number };
  /** Events in arrival order, or chunks piped one after the other (each chunk processed to completion). */
  readonly events: readonly CheckEvent<K, V>[] | readonly (readonly CheckEvent<K, V>[])[];
  /** The expected output for the same events (in arrival order, flattened). */
  readonly model: (events: readonly CheckEvent<K, V>[]) => Iterable<{ readonly key: KO; readonly value: VO | null }>;
  /**
   * `'table'` (default): compare the latest value per key (a null value deletes) — what a
   * compacted topic converges to, independent of caching. `'records'`: compare every record in order.
   */
  readonly compare?: 'table' | 'records';
  /** Identity of an output key for comparison. Default JSON. */
  readonly keyId?: (key: KO) => string;
  /** Runs after the events were piped and before the output is read (e.g. pipe a flush record, move the wall clock). */
  readonly after?: (driver: TopologyTestDriver) => Promise<void>;
  /** Checks on every output record as soon as it is read after a chunk (e.g. "never before its window closed"). */
  readonly onOutput?: (records: readonly OutputRecord<KO, VO>[], pipedSoFar: readonly CheckEvent<K, V>[]) => void;
  readonly config?: TopologyTestDriverConfig;
}

/** What `checkTopologyAgainstModel` observed: the topology's output records and its task metrics. */
export interface CheckResult<KO, VO> {
  readonly records: OutputRecord<KO, VO>[];
  readonly metrics: TaskMetricsSnapshot[];
}

/** Thrown by `checkTopologyAgainstModel` when the topology's output differs from the model's, with both outputs. */
export class ModelMismatchError extends Error {
  constructor(
    message: string,
    readonly expected: unknown,
    readonly actual: unknown,
  ) {
    super(message);
    this.name = 'ModelMismatchError';
  }
}

function isChunked<K, V>(events: CheckOptions<K, V, unknown, unknown>['events']): events is readonly (readonly CheckEvent<K, V>[])[] {
  return events.length > 0 && Array.isArray(events[0]);
}

/** Runs generated events through a topology on the test driver and through a plain-function model, and reports the first difference (property tests). */
export async function checkTopologyAgainstModel<K, V, KO, VO>(options: CheckOptions<K, V, KO, VO>): Promise<CheckResult<KO, VO>> {
  const topology = typeof options.topology === 'function' ? options.topology() : options.topology;
  const driver = new TopologyTestDriver(topology, options.config ?? {});
  try {
    const input = driver.createInputTopic(options.input.topic, options.input.keySerde, options.input.valueSerde, {
      ...(options.input.partitions === undefined ? {} : { partitions: options.input.partitions }),
    });
    const output = driver.createOutputTopic(options.output.topic, options.output.keySerde, options.output.valueSerde, {
      ...(options.output.partitions === undefined ? {} : { partitions: options.output.partitions }),
    });
    const chunks = isChunked(options.events) ? options.events : [options.events as readonly CheckEvent<K, V>[]];
    const flat: CheckEvent<K, V>[] = [];
    const records: OutputRecord<KO, VO>[] = [];
    for (const chunk of chunks) {
      await input.pipeRecordList(
        chunk.map((e) => ({
          key: e.key,
          value: e.value,
          timestamp: e.timestamp,
          ...(e.partition === undefined ? {} : { partition: e.partition }),
          ...(e.headers === undefined ? {} : { headers: e.headers }),
        })),
      );
      flat.push(...chunk);
      if (options.onOutput !== undefined) {
        const fresh = await output.readRecordsToList();
        options.onOutput(fresh, flat);
        records.push(...fresh);
      }
    }
    await options.after?.(driver);
    const fresh = await output.readRecordsToList();
    options.onOutput?.(fresh, flat);
    records.push(...fresh);
    const keyId = options.keyId ?? ((k: KO) => JSON.stringify(k));
    const expected = [...options.model(flat)];
    if ((options.compare ?? 'table') === 'records') {
      const a = records.map((r) => [keyId(r.key), r.value]);
      const e = expected.map((r) => [keyId(r.key), r.value]);
      if (JSON.stringify(a) !== JSON.stringify(e))
        throw new ModelMismatchError(`output records differ from the model\n  expected ${JSON.stringify(e)}\n  actual   ${JSON.stringify(a)}`, e, a);
    } else {
      const actual = toTable(records, keyId);
      const want = toTable(expected, keyId);
      const diffs: string[] = [];
      for (const [k, v] of want)
        if (JSON.stringify(actual.get(k)) !== JSON.stringify(v)) diffs.push(`${k}: expected ${JSON.stringify(v)}, got ${JSON.stringify(actual.get(k))}`);
      for (const [k, v] of actual) if (!want.has(k)) diffs.push(`${k}: not expected, got ${JSON.stringify(v)}`);
      if (diffs.length > 0) throw new ModelMismatchError(`final table differs from the model:\n  ${diffs.slice(0, 20).join('\n  ')}`, [...want], [...actual]);
    }
    return { records, metrics: driver.metrics() };
  } finally {
    await driver.close();
  }
}

function toTable<KO, VO>(records: Iterable<{ readonly key: KO; readonly value: VO | null }>, keyId: (k: KO) => string): Map<string, VO> {
  const m = new Map<string, VO>();
  for (const r of records) {
    const k = keyId(r.key);
    if (r.value === null || r.value === undefined) m.delete(k);
    else m.set(k, r.value);
  }
  return m;
}
