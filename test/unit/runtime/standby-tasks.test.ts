// Standby replicas over the embedded broker: two runners of a count-by-key app over 2 partitions,
// numStandbyReplicas=1. Each keeps a standby of exactly the task the other owns (never its own);
// the standby follows the changelog; when one runner leaves, the other takes its task over and
// restores nothing from the changelog (the standby had it all), and the counts are exact.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, StreamsBuilder } from '../../../lib/dsl/index.js';
import { outgoingBatch } from '../../../lib/kafka/columns.js';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import { StreamsRuntime } from '../../../lib/runtime/streams-runtime.js';
import { Serdes } from '../../../lib/serde/serdes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runner(kafka: EmbeddedKafka, name: string, standbys: number): StreamsRuntime {
  const builder = new StreamsBuilder();
  builder.stream('in', Consumed.with(Serdes.string(), Serdes.string())).groupByKey().count(Materialized.as('counts'));
  return new StreamsRuntime({
    topology: builder.build(),
    client: kafka,
    config: {
      applicationId: 'standby',
      clientId: name,
      numStandbyReplicas: standbys,
      stateDir: mkdtempSync(join(tmpdir(), `tributary-standby-${name}-`)),
      logger: () => undefined,
    },
  });
}

async function spin(runtimes: readonly StreamsRuntime[], until: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!until()) {
    if (Date.now() > deadline) throw new Error('timed out');
    for (const r of runtimes) await r.runOnce(5);
    await sleep(5);
  }
}

describe('standby replicas (embedded broker)', () => {
  it('keeps a standby of each task the other runner owns, and hands it over on failover', async () => {
    const kafka = new EmbeddedKafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic: 'in', numPartitions: 2 }]);
    const a = runner(kafka, 'a', 1);
    const b = runner(kafka, 'b', 1);
    try {
      await a.start({ loop: false });
      await b.start({ loop: false });
      const ids = (r: StreamsRuntime) => r.tasks().map((t) => t.id);
      await spin([a, b], () => ids(a).length === 1 && ids(b).length === 1 && a.standby.ids().length === 1 && b.standby.ids().length === 1);
      expect(a.standby.ids()).toEqual(ids(b));
      expect(b.standby.ids()).toEqual(ids(a));
      const producer = kafka.producer();
      await producer.connect();
      const records = [];
      for (let i = 0; i < 400; i++) records.push({ topic: 'in', partition: i % 2, key: Buffer.from(`k${i % 100}`), value: Buffer.from('v'), timestamp: 1 });
      await producer.send(outgoingBatch(records));
      await producer.disconnect();
      // Each task wrote its 50 keys' counts to the changelog; each standby applied the other's.
      await spin([a, b], () => a.standby.metrics().recordsApplied >= 50 && b.standby.metrics().recordsApplied >= 50);
      const released = b.standby.metrics().released;
      const moved = b.standby.ids()[0]!;
      await a.close();
      await spin([b], () => ids(b).length === 2);
      expect(b.standby.metrics().released).toBe(released + 1);
      expect(b.standby.ids()).toEqual([]);
      // The task that moved restored nothing from its changelog: the standby held it all.
      // (The task b owned before may restore in full: an eager rebalance revoked it, and under
      // exactly-once a revoked task writes no checkpoint.)
      const progress = [...b.restores.values()].find((p) => p.taskId === moved)!;
      expect(progress.done).toBe(true);
      expect(progress.restored).toBe(0);
      await spin([b], () => b.state === 'running');
      const store = b.queryable.keyValueStore<string, unknown>('counts');
      const count = (k: string) => {
        const v = store.get(k);
        return typeof v === 'number' ? v : (v as { value: number } | undefined)?.value;
      };
      for (let k = 0; k < 100; k++) expect(count(`k${k}`), `k${k}`).toBe(4);
    } finally {
      await b.close();
      await a.close();
      await kafka.close();
    }
  }, 30_000);
});
