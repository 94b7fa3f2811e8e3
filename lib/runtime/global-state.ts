/**
 * Global stores: every instance keeps a full copy, fed from all partitions of the store's source
 * topic (which doubles as its changelog — no separate changelog is written). At start the stores
 * are rebuilt from the beginning of the topic (the local copy is wiped first, so compacted-away
 * keys cannot linger) before any task processes a record; afterwards each loop iteration applies
 * new records. Records go through the global source's serdes and its state-update processor,
 * like Kafka Streams' GlobalStateUpdateTask. Readable from every processor via `getStateStore`.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TributaryError } from '../errors.js';
import { fetchedRecords } from '../kafka/columns.js';
import type { Admin, Consumer, FetchedColumns, KafkaClient } from '../kafka/types.js';
import type { StateStore, StateStoreContext } from '../state/types.js';
import type { BuiltGlobalStore } from '../topology/built-topology.js';
import type { NormalizedConfig } from './config.js';
import { errorMessage } from './error-handlers.js';
import { ProcessorContextImpl } from './processor-context-impl.js';
import { RecordCollector } from './record-collector.js';
import { ProcessorNode, SourceNode } from './runtime-node.js';
import { TaskMetrics } from './task-metrics.js';
import { TaskRecordContext } from './task-record-context.js';

const GLOBAL_TASK = 'global';

interface GlobalUpdater {
  readonly def: BuiltGlobalStore;
  readonly store: StateStore;
  readonly source: SourceNode;
  readonly processor: ProcessorNode;
  readonly context: TaskRecordContext;
  streamTime: number;
}

export class GlobalStateManager {
  readonly stores = new Map<string, StateStore>();
  private readonly updaters = new Map<string, GlobalUpdater>();
  private consumer: Consumer | null = null;

  constructor(
    private readonly defs: readonly BuiltGlobalStore[],
    private readonly config: NormalizedConfig,
    private readonly client: KafkaClient,
  ) {}

  get isEmpty(): boolean {
    return this.defs.length === 0;
  }

  /** Opens the global stores and replays their topics up to the current end offsets. */
  async start(admin: Admin): Promise<void> {
    if (this.defs.length === 0) return;
    const dir = join(this.config.stateDir, this.config.applicationId, GLOBAL_TASK);
    await rm(dir, { recursive: true, force: true });
    for (const def of this.defs) await this.open(def, dir);
    this.consumer = this.client.consumer({ groupId: `${this.config.applicationId}-global`, clientId: `${this.config.clientId}-global-consumer` });
    await this.consumer.connect();
    const ends = new Map<string, number>();
    const tps: Array<{ topic: string; partition: number }> = [];
    const starts: Array<{ topic: string; partition: number; offset: number }> = [];
    for (const def of this.defs) {
      for (const o of await admin.fetchTopicOffsets(def.topic)) {
        tps.push({ topic: def.topic, partition: o.partition });
        starts.push({ topic: def.topic, partition: o.partition, offset: o.low });
        ends.set(`${def.topic}\0${o.partition}`, o.high);
      }
    }
    await this.consumer.assign(tps);
    for (const s of starts) this.consumer.seek(s, s.offset);
    const next = new Map(starts.map((s) => [`${s.topic}\0${s.partition}`, s.offset]));
    let idleSince = Date.now();
    for (;;) {
      const pending = [...ends].filter(([k, end]) => {
        const [topic, partition] = k.split('\0') as [string, string];
        const pos = this.consumer!.position?.({ topic, partition: Number(partition) }) ?? next.get(k)!;
        return pos < end;
      });
      if (pending.length === 0) break;
      const batches = await this.consumer.poll(100);
      if (batches.length > 0) idleSince = Date.now();
      else if (this.consumer.position === undefined && Date.now() - idleSince > 2000) break; // only control records left
      for (const b of batches) if (b.length > 0) next.set(`${b.topic}\0${b.partition}`, b.offsets[b.length - 1]! + 1);
      this.apply(batches);
    }
    await this.flush();
  }

  private async open(def: BuiltGlobalStore, dir: string): Promise<void> {
    const store = def.builder.build();
    const keySerde = def.source.keySerde ?? this.config.defaultKeySerde;
    const valueSerde = def.source.valueSerde ?? this.config.defaultValueSerde;
    if (keySerde === undefined || valueSerde === undefined) {
      throw new TributaryError(`Global store ${def.storeName}: its source ${def.source.name} has no serdes and no defaults are configured`, { code: 'CONFIG' });
    }
    const metrics = new TaskMetrics(GLOBAL_TASK);
    let updater: GlobalUpdater | undefined;
    const context = new TaskRecordContext({
      applicationId: this.config.applicationId,
      taskId: GLOBAL_TASK,
      partition: -1,
      clock: this.config.clock,
      collector: new RecordCollector(metrics, new Set()),
      metrics,
      streamTime: () => updater?.streamTime ?? -1,
      schedule: () => {
        throw new TributaryError('Global store processors cannot schedule punctuations', { code: 'TOPOLOGY' });
      },
      partitionsFor: () => undefined,
    });
    context.stores.set(def.storeName, store);
    const storeContext: StateStoreContext = {
      applicationId: this.config.applicationId,
      taskId: GLOBAL_TASK,
      partition: -1,
      taskDir: dir,
      changelog: null,
      currentTimestamp: () => context.timestamp,
      streamTime: () => updater?.streamTime ?? -1,
    };
    await store.init(storeContext);
    const source = new SourceNode(def.source.name, keySerde, valueSerde);
    const processor = new ProcessorNode(def.processor.name, def.processor.supplier());
    source.children = [processor];
    processor.processor.init?.(new ProcessorContextImpl(context, processor, new Set([def.storeName])));
    updater = { def, store, source, processor, context, streamTime: -1 };
    this.updaters.set(def.topic, updater);
    this.stores.set(def.storeName, store);
  }

  private apply(batches: readonly FetchedColumns[]): number {
    let n = 0;
    for (const b of batches) {
      const u = this.updaters.get(b.topic);
      if (u === undefined) continue;
      const extractor = u.def.source.timestampExtractor;
      for (const r of fetchedRecords(b)) {
        try {
          const ts =
            extractor === undefined
              ? r.timestamp
              : extractor(
                  {
                    key: u.source.deserializeKey(r),
                    value: u.source.deserializeValue(r),
                    timestamp: r.timestamp,
                    topic: r.topic,
                    partition: r.partition,
                    offset: r.offset,
                    headers: r.headers,
                  },
                  u.streamTime,
                );
          if (ts > u.streamTime) u.streamTime = ts;
          u.context.setRecord(r.topic, r.partition, r.offset, ts, r.headers);
          u.source.processDecoded(u.source.deserializeKey(r), u.source.deserializeValue(r), ts, r.headers);
          n++;
        } catch (error) {
          throw new TributaryError(`Global store ${u.def.storeName} could not apply ${r.topic}-${r.partition}@${r.offset}: ${errorMessage(error)}`, {
            code: 'STATE',
            cause: error,
            context: { store: u.def.storeName, topic: r.topic, partition: r.partition, offset: r.offset },
          });
        }
      }
    }
    return n;
  }

  /** Applies whatever arrived on the global topics since the last call (non-blocking). */
  async update(): Promise<number> {
    if (this.consumer === null) return 0;
    const n = this.apply(await this.consumer.poll(0));
    if (n > 0) await this.flush();
    return n;
  }

  async flush(): Promise<void> {
    for (const s of this.stores.values()) await s.flush();
  }

  async close(): Promise<void> {
    for (const u of this.updaters.values()) {
      try {
        u.processor.processor.close?.();
      } catch {
        // closing anyway
      }
      if (u.store.isOpen) await u.store.close();
    }
    this.updaters.clear();
    await this.consumer?.close().catch(() => undefined);
    this.consumer = null;
  }
}
