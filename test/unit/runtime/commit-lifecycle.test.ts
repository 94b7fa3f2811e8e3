import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import type { Consumer, ConsumerOptions, KafkaClient, Producer, ProducerOptions } from '../../../lib/kafka/types.js';
import { ManualClock } from '../../../lib/runtime/clock.js';
import { StreamsRuntime } from '../../../lib/runtime/streams-runtime.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { ChangelogSink, RestoreRecord, StateStore, StateStoreContext, StoreBuilder } from '../../../lib/state/types.js';
import type { ProcessorContext, Record } from '../../../lib/topology/processor.js';
import { Topology } from '../../../lib/topology/topology.js';
import { fetchedBatches, outgoingBatch } from '../../../lib/kafka/columns.js';

const str = Serdes.string();

/** Wraps a client and logs the calls that make up a commit. */
class RecordingClient implements KafkaClient {
  readonly name = 'recording';
  readonly log: string[] = [];
  constructor(readonly inner: EmbeddedKafka) {}
  admin() {
    return this.inner.admin();
  }
  producer(options?: ProducerOptions): Producer {
    const p = this.inner.producer(options);
    const log = this.log;
    const tag = options?.transactionalId ?? 'shared';
    return {
      get transactionalId() {
        return p.transactionalId;
      },
      get inTransaction() {
        return p.inTransaction;
      },
      connect: () => p.connect(),
      disconnect: () => p.disconnect(),
      async send(records) {
        log.push(`send(${tag}:${records.topics.slice(0, records.length).join(',')})`);
        await p.send(records);
      },
      async beginTransaction() {
        log.push(`begin(${tag})`);
        await p.beginTransaction();
      },
      async sendOffsets(group, offsets, meta) {
        log.push(`sendOffsets(${tag}:${offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(',')})`);
        await p.sendOffsets(group, offsets, meta);
      },
      async commitTransaction() {
        log.push(`commit(${tag})`);
        await p.commitTransaction();
      },
      async abortTransaction() {
        log.push(`abort(${tag})`);
        await p.abortTransaction();
      },
    };
  }
  consumer(options: ConsumerOptions): Consumer {
    const c = this.inner.consumer(options);
    const log = this.log;
    return {
      connect: () => c.connect(),
      subscribe: (topics, listener) => c.subscribe(topics, listener),
      assign: (tps) => c.assign(tps),
      poll: (ms) => c.poll(ms),
      seek: (tp, offset) => c.seek(tp, offset),
      pause: (tps) => c.pause(tps),
      resume: (tps) => c.resume(tps),
      assignment: () => c.assignment(),
      position: (tp) => c.position?.(tp),
      groupMetadata: () => c.groupMetadata(),
      close: () => c.close(),
      async commitOffsets(offsets) {
        log.push(`commitOffsets(${offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(',')})`);
        await c.commitOffsets(offsets);
      },
    };
  }
}

/** A store that buffers writes and logs them to its changelog on flush, like a caching layer. */
class SpyStore implements StateStore {
  // restoreBatch below makes it a RestorableStore
  readonly persistent = false;
  isOpen = false;
  private pending: string[] = [];
  private changelog: ChangelogSink | null = null;
  constructor(
    readonly name: string,
    private readonly log: string[],
  ) {}
  async init(context: StateStoreContext): Promise<void> {
    this.changelog = context.changelog;
    this.isOpen = true;
  }
  add(v: string): void {
    this.pending.push(v);
  }
  async flush(): Promise<void> {
    this.log.push(`flush(${this.pending.length})`);
    for (const v of this.pending) this.changelog?.log(Buffer.from(v), Buffer.from(v), 1);
    this.pending = [];
  }
  async close(): Promise<void> {
    this.isOpen = false;
  }
  async restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    this.log.push(`restore(${records.map((r) => r.key.toString()).join(',')})`);
  }
}

function spyTopology(log: string[]): Topology {
  const builder: StoreBuilder<SpyStore> = {
    name: 'spy',
    loggingEnabled: true,
    changelogConfigs: { 'cleanup.policy': 'compact' },
    build: () => new SpyStore('spy', log),
  };
  return new Topology()
    .addSource('src', 'in', { keySerde: str, valueSerde: str })
    .addProcessor(
      'proc',
      () => {
        let ctx: ProcessorContext<string, string>;
        let store: SpyStore;
        return {
          init: (c: ProcessorContext<string, string>) => {
            ctx = c;
            store = c.getStateStore<SpyStore>('spy');
          },
          process: (r: Record<string, string>) => {
            store.add(r.value);
            ctx.forward(r);
          },
        };
      },
      'src',
    )
    .addStateStore(builder, 'proc')
    .addSink('sink', 'out', { keySerde: str, valueSerde: str }, 'proc');
}

async function setup(guarantee: 'exactly_once' | 'at_least_once') {
  const kafka = new EmbeddedKafka();
  const client = new RecordingClient(kafka);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([
    { topic: 'in', numPartitions: 1 },
    { topic: 'out', numPartitions: 1 },
  ]);
  const clock = new ManualClock(1_000);
  const runtime = new StreamsRuntime({
    topology: spyTopology(client.log),
    client,
    config: { applicationId: 'commit-app', processingGuarantee: guarantee, clock, stateDir: mkdtempSync(join(tmpdir(), 'tributary-commit-')) },
  });
  await runtime.start({ loop: false });
  while (runtime.tasks().length === 0) await runtime.runOnce(5);
  const input = kafka.producer();
  await input.connect();
  return { kafka, client, admin, clock, runtime, input };
}

describe('task commit lifecycle', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('exactly-once: flush stores → begin → send outputs+changelog → sendOffsets(last+1) → commit, on the interval', async () => {
    const s = await setup('exactly_once');
    cleanups.push(async () => {
      await s.runtime.close();
      await s.kafka.close();
    });
    expect(s.runtime.config.commitIntervalMs).toBe(100);
    await s.input.send(outgoingBatch([0, 1, 2].map((i) => ({ topic: 'in', key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: 10 + i }))));
    s.client.log.length = 0;
    expect(await s.runtime.runOnce(0)).toBe(3);
    // Outputs are sent at the end of the iteration, inside the task's open transaction; no commit yet.
    expect(s.client.log).toEqual(['begin(commit-app-0_0)', 'send(commit-app-0_0:out,out,out)']);
    s.client.log.length = 0;
    s.clock.advance(100);
    await s.runtime.runOnce(0);
    expect(s.client.log).toEqual([
      'flush(3)',
      'send(commit-app-0_0:commit-app-spy-changelog,commit-app-spy-changelog,commit-app-spy-changelog)',
      'sendOffsets(commit-app-0_0:in-0@3)',
      'commit(commit-app-0_0)',
    ]);
    const committed = await s.admin.fetchCommittedOffsets('commit-app', ['in']);
    expect(committed).toEqual([{ topic: 'in', partition: 0, offset: 3 }]);
    const changelog = await s.admin.fetchTopicOffsets('commit-app-spy-changelog');
    expect(changelog[0]!.high).toBeGreaterThanOrEqual(3);
  });

  it('a transactional input is committed to its end, past the commit marker after its last record (consumer position)', async () => {
    const s = await setup('exactly_once');
    const upstream = s.kafka.producer({ transactionalId: 'upstream' });
    cleanups.push(async () => {
      await upstream.disconnect();
      await s.runtime.close();
      await s.kafka.close();
    });
    await upstream.connect();
    for (const batch of [[0, 1], [2]]) {
      await upstream.beginTransaction();
      await upstream.send(outgoingBatch(batch.map((i) => ({ topic: 'in', key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: 10 + i }))));
      await upstream.commitTransaction();
    }
    // Offsets 0, 1: records; 2: marker; 3: record; 4: marker.
    const [end] = await s.admin.fetchTopicOffsets('in');
    expect(end!.high).toBe(5);
    s.client.log.length = 0;
    expect(await s.runtime.runOnce(0)).toBe(3);
    s.clock.advance(100);
    await s.runtime.runOnce(0);
    expect(s.client.log).toContain('sendOffsets(commit-app-0_0:in-0@5)');
    expect(await s.admin.fetchCommittedOffsets('commit-app', ['in'])).toEqual([{ topic: 'in', partition: 0, offset: 5 }]);
  });

  it('at-least-once: flush → send (one shared producer) → consumer.commitOffsets; 30 s default interval', async () => {
    const s = await setup('at_least_once');
    cleanups.push(async () => {
      await s.runtime.close();
      await s.kafka.close();
    });
    expect(s.runtime.config.commitIntervalMs).toBe(30_000);
    await s.input.send(outgoingBatch([{ topic: 'in', key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 5 }]));
    s.client.log.length = 0;
    await s.runtime.runOnce(0);
    s.clock.advance(29_999);
    await s.runtime.runOnce(0);
    expect(s.client.log).toEqual(['send(shared:out)']);
    s.clock.advance(1);
    await s.runtime.runOnce(0);
    expect(s.client.log).toEqual(['send(shared:out)', 'flush(1)', 'send(shared:commit-app-spy-changelog)', 'commitOffsets(in-0@1)']);
  });

  it('context.commit() requests a commit after the current batch', async () => {
    const s = await setup('exactly_once');
    cleanups.push(async () => {
      await s.runtime.close();
      await s.kafka.close();
    });
    const task = s.runtime.tasks()[0]!;
    task.context.commitRequested = true;
    s.client.log.length = 0;
    await s.runtime.runOnce(0);
    expect(s.client.log).toContain('flush(0)');
    expect(task.commitRequested).toBe(false);
  });

  it('a fenced producer migrates the task: closed dirty, aborted, recreated on rejoin, processing resumes', async () => {
    const s = await setup('exactly_once');
    cleanups.push(async () => {
      await s.runtime.close();
      await s.kafka.close();
    });
    await s.input.send(outgoingBatch([{ topic: 'in', key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1 }]));
    await s.runtime.runOnce(0);
    s.clock.advance(100);
    await s.runtime.runOnce(0); // committed offset 1
    await s.input.send(outgoingBatch([{ topic: 'in', key: Buffer.from('b'), value: Buffer.from('2'), timestamp: 2 }]));
    await s.runtime.runOnce(0);
    const zombieKiller = s.kafka.producer({ transactionalId: 'commit-app-0_0' });
    await zombieKiller.connect(); // fences the task's producer
    s.clock.advance(100);
    const first = s.runtime.tasks()[0]!;
    s.client.log.length = 0;
    await s.runtime.runOnce(0); // commit fails → TaskMigratedError → tasks closed dirty, rejoin
    expect(s.runtime.tasks()).toEqual([]);
    for (let i = 0; i < 50 && s.runtime.tasks().length === 0; i++) await s.runtime.runOnce(5);
    const second = s.runtime.tasks()[0]!;
    // The new instance restored the committed changelog ('1' only; '2' was never committed).
    expect(s.client.log.filter((l) => l.startsWith('restore'))).toEqual(['restore(1)']);
    expect(second).not.toBe(first);
    for (let i = 0; i < 5; i++) await s.runtime.runOnce(0);
    s.clock.advance(100);
    await s.runtime.runOnce(0);
    // 'b' is reprocessed by the new task instance and committed exactly once.
    expect(second.metrics.recordsIn).toBe(1);
    expect(await s.admin.fetchCommittedOffsets('commit-app', ['in'])).toEqual([{ topic: 'in', partition: 0, offset: 2 }]);
    const reader = s.kafka.consumer({ groupId: 'verify' });
    await reader.connect();
    await reader.assign([{ topic: 'out', partition: 0 }]);
    const values = fetchedBatches(await reader.poll(50)).flatMap((b) => b.records.map((r) => r.value!.toString()));
    expect(values).toEqual(['1', '2']);
    await reader.close();
    await zombieKiller.disconnect();
  });
});
