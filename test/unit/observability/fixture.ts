/**
 * A small application exercising every metric family on the embedded broker: a windowed count
 * (late records dropped), a key-value count with a cache and a changelog (restoration), a Delta
 * sink (commits; negative amounts rejected to the dead-letter topic) and a JSON source
 * (malformed values dead-lettered).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { TributaryApp } from '../../../lib/app/index.js';
import { deltaSink } from '../../../lib/connectors/delta/index.js';
import { Consumed, Materialized, Produced, StreamsBuilder, TimeWindows } from '../../../lib/index.js';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { outgoingBatch } from '../../../lib/kafka/columns.js';

export const P = 2;
const str = Serdes.string();
type Event = { n: number };
const Row = z.object({ key: z.string(), n: z.number().int().nonnegative(), offset: z.number().int() });

export function metricsTopology(table: string) {
  const b = new StreamsBuilder({ logger: () => {} });
  const s = b.stream<string, Event>('in', Consumed.with(str, Serdes.json<Event>()));
  s.groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(1_000, 0)).count(Materialized.as('window-counts'));
  s.groupByKey().count(Materialized.as<string, number>('counts').withKeySerde(str)).toStream().to('out', Produced.with(str, Serdes.json<number>()));
  s.process(
    deltaSink<string, Event>({
      table,
      schema: Row,
      toRow: (r, src) => ({ key: r.key, n: r.value.n, offset: src.offset }),
      commitIntervalMs: 300,
      idleCommitMs: 100,
    }),
  );
  return b.build();
}

export class Fixture {
  readonly dirs: string[] = [];
  readonly cleanups: Array<() => Promise<unknown>> = [];
  readonly table: string;
  client!: EmbeddedKafka;

  constructor() {
    this.table = this.tmp('tributary-metrics-table-');
  }

  tmp(prefix: string): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }

  async broker(): Promise<EmbeddedKafka> {
    this.client = new EmbeddedKafka({ maxPollRecordsPerPartition: 100 });
    this.cleanups.push(() => this.client.close());
    const admin = this.client.admin();
    await admin.connect();
    await admin.createTopics([
      { topic: 'in', numPartitions: P },
      { topic: 'out', numPartitions: P },
    ]);
    await admin.disconnect();
    return this.client;
  }

  app(applicationId = 'metrics-app'): TributaryApp {
    const a = new TributaryApp(metricsTopology(this.table), {
      applicationId,
      client: this.client,
      commitIntervalMs: 100,
      stateDir: this.tmp('tributary-metrics-state-'),
      logger: () => undefined,
    });
    this.cleanups.push(() => a.close());
    return a;
  }

  async close(): Promise<void> {
    for (const c of this.cleanups.splice(0).reverse()) await c().catch(() => undefined);
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** What a batch of `count` records starting at `from` holds (see `batch`). */
export interface BatchShape {
  readonly malformed: number;
  readonly late: number;
  readonly rejected: number;
}

/**
 * Records `from..from+count-1` on partition i % 2, key `k<i % 10>`, timestamp `base + 10 i`;
 * i % 40 == 7: malformed JSON; i % 40 == 10: timestamp 0 (late for its 1 s window, grace 0);
 * i % 40 == 21: n = -1 (the Delta schema rejects it).
 */
export async function produce(client: EmbeddedKafka, from: number, count: number, base = 1_000_000): Promise<BatchShape> {
  const producer = client.producer();
  await producer.connect();
  const records = [];
  let malformed = 0;
  let late = 0;
  let rejected = 0;
  for (let i = from; i < from + count; i++) {
    const kind = i % 40;
    let value = JSON.stringify({ n: i });
    let timestamp = base + 10 * i;
    if (kind === 7) {
      value = '{not json';
      malformed++;
    } else if (kind === 10) {
      timestamp = 0;
      late++;
    } else if (kind === 21) {
      value = JSON.stringify({ n: -1 });
      rejected++;
    }
    records.push({ topic: 'in', partition: i % P, key: Buffer.from(`k${i % 10}`), value: Buffer.from(value), timestamp });
  }
  await producer.send(outgoingBatch(records));
  await producer.disconnect();
  return { malformed, late, rejected };
}

export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
