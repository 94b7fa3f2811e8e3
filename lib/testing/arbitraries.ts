/**
 * fast-check arbitraries for event-time testing: keyed event streams over several partitions that
 * arrive out of order (bounded disorder), with optional late events (beyond grace) and duplicates.
 *
 * How disorder is made: every event gets an arrival key `timestamp + delay`, `delay` in
 * `[0, maxDisorderMs]`, and events arrive sorted by it. Then any event arrives at most
 * `maxDisorderMs` behind the max timestamp seen before it — on time for every window when
 * `grace >= maxDisorderMs`. Late events get an extra delay in `(maxDisorderMs, maxLatenessMs]`.
 */
import fc from 'fast-check';

/** One generated event: key, value, timestamp, partition, and whether it arrives late or as a duplicate. */
export interface ArrivingEvent<K = string, V = number> {
  readonly key: K;
  readonly value: V;
  /** Event time, epoch ms. */
  readonly timestamp: number;
  /** Input partition the event is written to. */
  readonly partition: number;
  /** True when generated beyond the disorder bound (it may still be on time by luck). */
  readonly late: boolean;
  /** True for a re-delivery of an earlier event. */
  readonly duplicate: boolean;
}

/** Options of the `eventStream` arbitrary: keys, partitions and partitioning, number of events, start time and time step. */
export interface EventStreamOptions {
  /** Key alphabet. Default `['a', 'b', 'c']`. */
  readonly keys?: readonly string[];
  /** Partitions to spread events over. Default 1. */
  readonly partitions?: number;
  /** How events pick a partition: by key (default, as a keyed producer) or at random. */
  readonly partitioning?: 'by-key' | 'random';
  readonly minEvents?: number;
  /** Default 30. */
  readonly maxEvents?: number;
  /** Event times start at `startMs` (default 0) and grow by at most `maxStepMs` (default 1000) per event. */
  readonly startMs?: number;
  readonly maxStepMs?: number;
  /** Max delay of on-time events. Default 0 (in order). */
  readonly maxDisorderMs?: number;
  /** Fraction of events delivered late (0..1). Default 0. */
  readonly lateFraction?: number;
  /** Max delay of late events. Default 10 × maxDisorderMs + 10 × maxStepMs. */
  readonly maxLatenessMs?: number;
  /** Fraction of events delivered twice (0..1). Default 0. */
  readonly duplicateFraction?: number;
  /** Values: default integers in [1, 100]. */
  readonly values?: fc.Arbitrary<number>;
}

/** An out-of-order event stream in arrival order (see module doc). */
export function eventStream(options: EventStreamOptions = {}): fc.Arbitrary<ArrivingEvent[]> {
  const keys = options.keys ?? ['a', 'b', 'c'];
  const partitions = options.partitions ?? 1;
  const maxStep = options.maxStepMs ?? 1000;
  const disorder = options.maxDisorderMs ?? 0;
  const lateFraction = options.lateFraction ?? 0;
  const maxLate = options.maxLatenessMs ?? 10 * disorder + 10 * maxStep;
  const dupFraction = options.duplicateFraction ?? 0;
  const start = options.startMs ?? 0;
  const byKey = options.partitioning !== 'random';
  const one = fc.record({
    key: fc.constantFrom(...keys),
    value: options.values ?? fc.integer({ min: 1, max: 100 }),
    step: fc.integer({ min: 0, max: maxStep }),
    delay: fc.integer({ min: 0, max: disorder }),
    late: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < lateFraction),
    lateDelay: fc.integer({ min: disorder + 1, max: Math.max(disorder + 1, maxLate) }),
    dup: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < dupFraction),
    dupDelay: fc.integer({ min: 0, max: disorder }),
    partition: fc.integer({ min: 0, max: partitions - 1 }),
  });
  return fc.array(one, { minLength: options.minEvents ?? 1, maxLength: options.maxEvents ?? 30 }).map((raw) => {
    let t = start;
    const arriving: Array<{ e: ArrivingEvent; at: number; seq: number }> = [];
    let seq = 0;
    for (const r of raw) {
      t += r.step;
      const partition = byKey ? keys.indexOf(r.key) % partitions : r.partition;
      const e: ArrivingEvent = { key: r.key, value: r.value, timestamp: t, partition, late: r.late, duplicate: false };
      arriving.push({ e, at: t + (r.late ? r.lateDelay : r.delay), seq: seq++ });
      // The copy has its own delay within the same bound, so it is late only if the original is.
      if (r.dup) arriving.push({ e: { ...e, duplicate: true }, at: t + (r.late ? r.lateDelay : r.dupDelay), seq: seq++ });
    }
    arriving.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return arriving.map((a) => a.e);
  });
}

/**
 * Events of several partitions, each partition in its own bounded-disorder order, delivered to
 * the application as chunks: `[partition, events[]]` pairs in an arbitrary interleaving (the
 * order the broker hands them over). Keys are routed by key so a key stays in one partition.
 */
export function partitionedChunks(options: EventStreamOptions & { readonly partitions: number }): fc.Arbitrary<ArrivingEvent[][]> {
  return eventStream({ ...options, partitioning: options.partitioning ?? 'by-key' }).chain((events) => {
    const perPartition: ArrivingEvent[][] = Array.from({ length: options.partitions }, () => []);
    for (const e of events) perPartition[e.partition]!.push(e);
    const chunks: ArrivingEvent[][] = [];
    const cuts = perPartition.map((list) => fc.array(fc.integer({ min: 1, max: Math.max(1, list.length) }), { minLength: 1, maxLength: 4 }));
    return fc.tuple(fc.tuple(...cuts), fc.array(fc.nat(), { minLength: 16, maxLength: 16 })).map(([sizes, shuffle]) => {
      chunks.length = 0;
      const pending: ArrivingEvent[][][] = perPartition.map((list, p) => {
        const out: ArrivingEvent[][] = [];
        let i = 0;
        for (const n of sizes[p]!) {
          if (i >= list.length) break;
          out.push(list.slice(i, i + n));
          i += n;
        }
        if (i < list.length) out.push(list.slice(i));
        return out;
      });
      let k = 0;
      while (pending.some((q) => q.length > 0)) {
        const live = pending.map((q, p) => (q.length > 0 ? p : -1)).filter((p) => p >= 0);
        const p = live[shuffle[k++ % shuffle.length]! % live.length]!;
        chunks.push(pending[p]!.shift()!);
      }
      return [...chunks];
    });
  });
}

/** Options of the `outOfOrderRecords` arbitrary: key and value arbitraries, how many records, the time step and how far out of order. */
export interface OutOfOrderOptions<K, V> {
  readonly keys: fc.Arbitrary<K>;
  readonly values: fc.Arbitrary<V>;
  readonly minLength?: number;
  /** Default 50. */
  readonly maxLength?: number;
  /** Max event-time step between consecutive generated events. Default 1000. */
  readonly maxStepMs?: number;
  /** Max delay of an event behind the max timestamp seen before it. Default 5000. */
  readonly maxDisorderMs?: number;
}

/**
 * Keyed records with explicit timestamps in a bounded out-of-order arrival order (same recipe as
 * `eventStream`), shaped for `TestInputTopic.pipeRecordList`.
 */
export function outOfOrderRecords<K, V>(options: OutOfOrderOptions<K, V>): fc.Arbitrary<Array<{ key: K; value: V; timestamp: number }>> {
  const maxStep = options.maxStepMs ?? 1000;
  const disorder = options.maxDisorderMs ?? 5000;
  const one = fc.record({ key: options.keys, value: options.values, step: fc.integer({ min: 0, max: maxStep }), delay: fc.integer({ min: 0, max: disorder }) });
  return fc.array(one, { minLength: options.minLength ?? 0, maxLength: options.maxLength ?? 50 }).map((raw) => {
    let t = 0;
    const out = raw.map((r, seq) => {
      t += r.step;
      return { rec: { key: r.key, value: r.value, timestamp: t }, at: t + r.delay, seq };
    });
    out.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return out.map((o) => o.rec);
  });
}
