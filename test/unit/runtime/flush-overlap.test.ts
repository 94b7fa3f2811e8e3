import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import type { KafkaClient } from '../../../lib/kafka/types.js';
import { ManualClock } from '../../../lib/runtime/clock.js';
import { StreamsRuntime } from '../../../lib/runtime/streams-runtime.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { ChangelogSink, RestoreRecord, StateStore, StateStoreContext, StoreBuilder } from '../../../lib/state/types.js';
import type { ProcessorContext, Record } from '../../../lib/topology/processor.js';
import { Topology } from '../../../lib/topology/topology.js';
import { outgoingBatch } from '../../../lib/kafka/columns.js';

const str = Serdes.string();

/** Logs `name(topics)` for the producer and consumer calls of a commit (a Proxy over the embedded client). */
function recording(kafka: EmbeddedKafka, log: string[]): KafkaClient {
  const spy = <T extends object>(target: T, methods: string[]): T =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const v = Reflect.get(t, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        if (!methods.includes(String(prop))) return (v as (...a: unknown[]) => unknown).bind(t);
        return (...args: unknown[]) => {
          const first = args[0];
          const batch = prop === 'send' ? (first as { topics: string[]; length: number }) : undefined;
          const names: string[] = Array.isArray(first)
            ? first.map((r: { topic: string }) => r.topic)
            : batch === undefined
              ? []
              : batch.topics.slice(0, batch.length);
          const topics = [...new Set(names)].join(',');
          log.push(`${String(prop)}(${topics})`);
          return (v as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    });
  return new Proxy(kafka, {
    get(t, prop, receiver) {
      if (prop === 'producer') return (o?: object) => spy(t.producer(o as never), ['send', 'commitTransaction']);
      if (prop === 'consumer') return (o: object) => spy(t.consumer(o as never), ['commitOffsets']);
      const v = Reflect.get(t, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  }) as unknown as KafkaClient;
}

/** Logs its changelog records synchronously as flush starts, then takes a while to apply them (like a LevelDB batch). */
class SlowStore implements StateStore {
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
    for (const v of this.pending) this.changelog?.log(Buffer.from(v), Buffer.from(v), 1);
    const n = this.pending.length;
    this.pending = [];
    if (n === 0) return;
    this.log.push('flush-start');
    await new Promise((r) => setTimeout(r, 30));
    this.log.push('flush-applied');
  }
  async close(): Promise<void> {
    this.isOpen = false;
  }
  async restoreBatch(_records: readonly RestoreRecord[]): Promise<void> {}
}

function topology(log: string[]): Topology {
  const builder: StoreBuilder<SlowStore> = {
    name: 'slow',
    loggingEnabled: true,
    changelogConfigs: { 'cleanup.policy': 'compact' },
    build: () => new SlowStore('slow', log),
  };
  return new Topology()
    .addSource('src', 'in', { keySerde: str, valueSerde: str })
    .addProcessor(
      'proc',
      () => {
        let store: SlowStore;
        return {
          init: (c: ProcessorContext<string, string>) => {
            store = c.getStateStore<SlowStore>('slow');
          },
          process: (r: Record<string, string>) => store.add(r.value),
        };
      },
      'src',
    )
    .addStateStore(builder, 'proc');
}

describe('commit: changelog sent while the stores apply their flush', () => {
  for (const guarantee of ['exactly_once', 'at_least_once'] as const) {
    it(`${guarantee}: the changelog records go out during the flush; the commit waits for the flush`, async () => {
      const kafka = new EmbeddedKafka();
      const log: string[] = [];
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics([{ topic: 'in', numPartitions: 1 }]);
      const clock = new ManualClock(1_000);
      const runtime = new StreamsRuntime({
        topology: topology(log),
        client: recording(kafka, log),
        config: { applicationId: 'overlap', processingGuarantee: guarantee, clock, stateDir: mkdtempSync(join(tmpdir(), 'tributary-overlap-')) },
      });
      try {
        await runtime.start({ loop: false });
        while (runtime.tasks().length === 0) await runtime.runOnce(5);
        const input = kafka.producer();
        await input.connect();
        await input.send(outgoingBatch([0, 1, 2].map((i) => ({ topic: 'in', key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: 10 + i }))));
        await runtime.runOnce(0);
        log.length = 0;
        await runtime.commit();
        const commit = guarantee === 'exactly_once' ? 'commitTransaction()' : 'commitOffsets(in)';
        expect(log).toEqual(['flush-start', 'send(overlap-slow-changelog)', 'flush-applied', commit]);
        await input.disconnect();
      } finally {
        await runtime.close();
        await kafka.close();
      }
    });
  }
});
