/**
 * Sends a stream of generated transactions to a topic: idempotent producer (acks=all), records in
 * batches of `batchSize` with one batch in flight while the next is generated — never one await
 * per record. `intervalMs` paces the stream (event i is due at `i * intervalMs` after the start;
 * whatever is due goes out as one batch, so short intervals still batch); 0 sends as fast as the
 * broker acknowledges. Stops after `count` records, after `durationMs`, or when `signal` aborts,
 * and always waits for the batch in flight before returning.
 */
import type { Admin, KafkaClient, OutgoingRecord } from '../../kafka/types.js';
import { sleep } from '../connect.js';
import { MALFORMED_KINDS, TransactionGenerator, type MalformedKind, type TransactionGeneratorOptions } from './transactions.js';
import { outgoingBatch } from '../../kafka/columns.js';

export interface ProduceRunOptions {
  readonly client: KafkaClient;
  /** A connected admin, used to create the topic when missing. */
  readonly admin: Admin;
  readonly topic: string;
  /** Partitions of the topic when it has to be created. */
  readonly partitions: number;
  readonly generator: TransactionGeneratorOptions;
  /** Stop after this many records. */
  readonly count?: number;
  /** Stop after this long (continuous mode). */
  readonly durationMs?: number;
  /** Pace: ms between records; 0 = as fast as possible. */
  readonly intervalMs: number;
  /** Records per send. Default 2000. */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly clientId?: string;
  readonly onProgress?: (stats: ProduceStats) => void;
  /** Minimum time between `onProgress` calls. Default 500 ms. */
  readonly progressIntervalMs?: number;
}

/** Counts of acknowledged records. */
export interface ProduceStats {
  readonly sent: number;
  readonly onTime: number;
  readonly late: number;
  readonly malformed: number;
  readonly malformedByKind: Readonly<Record<MalformedKind, number>>;
  readonly elapsedMs: number;
  readonly eventsPerSec: number;
}

export interface ProduceSummary extends ProduceStats {
  readonly topic: string;
  readonly partitions: number;
  readonly topicCreated: boolean;
  readonly seed: number;
  /** Nominal time of event 0 and spacing: with the seed they rebuild the sequence (`generateTransactions`). */
  readonly startTime: string;
  readonly spacingMs: number;
  readonly lateShare: number;
  readonly malformedShare: number;
  readonly stoppedBy: 'count' | 'duration' | 'signal';
}

class Tally {
  sent = 0;
  onTime = 0;
  late = 0;
  malformed = 0;
  readonly byKind: Record<MalformedKind, number> = Object.fromEntries(MALFORMED_KINDS.map((k) => [k, 0])) as Record<MalformedKind, number>;

  add(other: Tally): void {
    this.sent += other.sent;
    this.onTime += other.onTime;
    this.late += other.late;
    this.malformed += other.malformed;
    for (const k of MALFORMED_KINDS) this.byKind[k] += other.byKind[k];
  }

  stats(elapsedMs: number): ProduceStats {
    return {
      sent: this.sent,
      onTime: this.onTime,
      late: this.late,
      malformed: this.malformed,
      malformedByKind: { ...this.byKind },
      elapsedMs: Math.round(elapsedMs),
      eventsPerSec: elapsedMs > 0 ? Math.round((this.sent * 1000) / elapsedMs) : 0,
    };
  }
}

/** Creates the topic when missing; returns its partition count and whether it was created. */
export async function ensureTopic(admin: Admin, topic: string, partitions: number): Promise<{ partitions: number; created: boolean }> {
  const created = await admin.createTopics([{ topic, numPartitions: partitions }]);
  if (created.includes(topic)) return { partitions, created: true };
  const [description] = await admin.describeTopics([topic]);
  return { partitions: description?.partitions ?? partitions, created: false };
}

export async function produceTransactions(options: ProduceRunOptions): Promise<ProduceSummary> {
  const topicInfo = await ensureTopic(options.admin, options.topic, options.partitions);
  const batchSize = options.batchSize ?? 2000;
  const progressEvery = options.progressIntervalMs ?? 500;
  const generator = new TransactionGenerator(options.generator);
  const producer = options.client.producer({ idempotent: true, ...(options.clientId ? { clientId: options.clientId } : {}) });
  await producer.connect();

  const total = new Tally();
  let inFlight: Promise<void> | undefined;
  let inFlightTally = new Tally();
  let stoppedBy: ProduceSummary['stoppedBy'] | undefined;
  const started = performance.now();
  let lastProgress = started;

  const settle = async () => {
    if (!inFlight) return;
    await inFlight;
    inFlight = undefined;
    total.add(inFlightTally);
    inFlightTally = new Tally();
  };

  try {
    while (stoppedBy === undefined) {
      const elapsed = performance.now() - started;
      if (options.signal?.aborted) stoppedBy = 'signal';
      else if (options.count !== undefined && generator.generated >= options.count) stoppedBy = 'count';
      else if (options.durationMs !== undefined && elapsed >= options.durationMs) stoppedBy = 'duration';
      if (stoppedBy !== undefined) break;

      let due = options.count ?? Number.MAX_SAFE_INTEGER;
      if (options.intervalMs > 0) due = Math.min(due, Math.floor(elapsed / options.intervalMs) + 1);
      const n = Math.min(due - generator.generated, batchSize);
      if (n <= 0) {
        // Nothing due yet: settle the batch in flight, then sleep until the next record is due.
        await settle();
        const wait = generator.generated * options.intervalMs - (performance.now() - started);
        const untilEnd = options.durationMs === undefined ? wait : Math.min(wait, options.durationMs - (performance.now() - started));
        if (untilEnd > 0) await sleep(Math.min(untilEnd, progressEvery), options.signal);
      } else {
        const records: OutgoingRecord[] = new Array(n);
        const tally = new Tally();
        for (let i = 0; i < n; i++) {
          const g = generator.next();
          records[i] = { topic: options.topic, key: Buffer.from(g.key), value: Buffer.from(g.value) };
          tally.sent++;
          if (g.category === 'on_time') tally.onTime++;
          else if (g.category === 'late') tally.late++;
          else {
            tally.malformed++;
            tally.byKind[g.malformed!]++;
          }
        }
        await settle();
        inFlight = producer.send(outgoingBatch(records));
        inFlightTally = tally;
      }
      const now = performance.now();
      if (options.onProgress && now - lastProgress >= progressEvery) {
        lastProgress = now;
        options.onProgress(total.stats(now - started));
      }
    }
    await settle();
  } finally {
    // Never leave a send unobserved (its rejection would be unhandled) before disconnecting.
    await inFlight?.catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }

  const stats = total.stats(performance.now() - started);
  return {
    ...stats,
    topic: options.topic,
    partitions: topicInfo.partitions,
    topicCreated: topicInfo.created,
    seed: options.generator.seed,
    startTime: new Date(options.generator.startTime).toISOString(),
    spacingMs: options.generator.spacingMs ?? 0,
    lateShare: options.generator.lateShare ?? 0.05,
    malformedShare: options.generator.malformedShare ?? 0.01,
    stoppedBy: stoppedBy ?? 'count',
  };
}
