/**
 * Runs a topology in process for tests: the real tributary runtime (tasks, record queues, stores,
 * commits, transactions under exactly-once) on an in-process `EmbeddedKafka` — not a second code
 * path. Input topics may have several partitions (one task per partition, as in production).
 *
 * Deterministic by construction: every `pipeInput` resolves after the records were processed to
 * completion, including hops through repartition topics; the wall clock is a manual clock moved
 * only by `advanceWallClockTime` (which fires wall-clock punctuations and commits when the
 * commit interval elapsed); reading an output topic first commits, so cached updates are flushed.
 * Caching is therefore observable: several updates of one key between two reads come out once.
 *
 * ```ts
 * const driver = new TopologyTestDriver(builder.build());
 * const input = driver.createInputTopic('in', Serdes.string(), Serdes.json<Tx>(), { partitions: 3 });
 * const output = driver.createOutputTopic('out', Serdes.string(), Serdes.int64());
 * await input.pipeInput('a', { amount: 5 }, 1000);
 * expect(await output.readKeyValuesToList()).toEqual([{ key: 'a', value: 1 }]);
 * await driver.close();
 * ```
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TributaryError } from '../errors.js';
import { EmbeddedKafka } from '../kafka/embedded/index.js';
import type { Admin, Consumer, Headers, IncomingRecord, KafkaClient, Producer } from '../kafka/types.js';
import { ManualClock } from '../runtime/clock.js';
import type { TributaryConfig } from '../runtime/config.js';
import { StreamsRuntime } from '../runtime/streams-runtime.js';
import type { TaskMetricsSnapshot } from '../runtime/task-metrics.js';
import { TimestampedKeyValueStoreBuilder } from '../state/stores.js';
import type { KeyValueStore, ReadOnlyWindowStore, StateStore, TimestampedKeyValueStore } from '../state/types.js';
import type { Serde } from '../serde/types.js';
import type { Topology } from '../topology/topology.js';
import { combinedKeyValueStore, combinedWindowStore, unwrapTimestamped } from './store-views.js';
import { TestInputTopic, type InputTopicOptions } from './test-input-topic.js';
import { TestOutputTopic } from './test-output-topic.js';
import { fetchedBatches, outgoingBatch } from '../kafka/columns.js';

/**
 * The driver's configuration: the one `TributaryConfig` (same schema, same defaults as the app:
 * exactly-once unless `processingGuarantee` says otherwise), less the keys about reaching a
 * cluster, plus the driver's clock and broker. Differences from the app: `applicationId` defaults
 * to `topology-test-driver`, `stateDir` to a fresh temp dir removed on close, and
 * `maxFutureSkewMs` to Infinity (the driver's wall clock starts at `initialWallClockTimeMs`).
 */
export interface TopologyTestDriverConfig extends Partial<Omit<TributaryConfig, 'bootstrapServers' | 'client' | 'security' | 'installSignalHandlers'>> {
  /** Start of the driver's wall clock, epoch ms. Default 0. */
  readonly initialWallClockTimeMs?: number;
  /** Bring your own Kafka client (e.g. an embedded broker to inspect topics); default a fresh embedded broker per driver, closed with it. */
  readonly kafka?: KafkaClient;
}

/** Options of `TopologyTestDriver.createOutputTopic`: partitions when the driver creates the topic. */
export interface OutputTopicOptions {
  /** Partitions when the driver creates the topic. Default 1. */
  readonly partitions?: number;
}

const MAX_DRAIN_ROUNDS = 100_000;

/** Runs a topology in process on the real runtime and an embedded broker; see the module doc. */
export class TopologyTestDriver {
  /** The Kafka client the driver runs on (its own embedded broker unless `config.kafka` was given). */
  readonly kafka: KafkaClient;
  private readonly ownKafka: EmbeddedKafka | null;
  private readonly clock: ManualClock;
  private readonly runtime: StreamsRuntime;
  private readonly ownsStateDir: string | null;
  private readonly topicPartitions = new Map<string, number>();
  private admin: Admin | null = null;
  private producer: Producer | null = null;
  private readonly readers = new Map<object, Consumer>();
  private starting: Promise<void> | null = null;
  private started = false;
  private closed = false;
  private readerSeq = 0;

  constructor(topology: Topology, config: TopologyTestDriverConfig = {}) {
    const { initialWallClockTimeMs, kafka, ...streams } = config;
    this.clock = new ManualClock(initialWallClockTimeMs ?? 0);
    this.ownKafka = kafka === undefined ? new EmbeddedKafka({ name: 'topology-test-driver' }) : null;
    this.kafka = kafka ?? this.ownKafka!;
    this.ownsStateDir = streams.stateDir === undefined ? mkdtempSync(join(tmpdir(), 'tributary-ttd-')) : null;
    this.runtime = new StreamsRuntime({
      topology,
      client: this.kafka,
      config: {
        ...streams,
        applicationId: streams.applicationId ?? 'topology-test-driver',
        // The manual wall clock starts at 0, unrelated to the event times tests use.
        maxFutureSkewMs: streams.maxFutureSkewMs ?? Number.POSITIVE_INFINITY,
        stateDir: streams.stateDir ?? this.ownsStateDir!,
        clock: this.clock,
      },
    });
  }

  /**
   * The runtime under test (tasks, metrics, state), for tributary's own tests.
   * @internal
   */
  get streams(): StreamsRuntime {
    return this.runtime;
  }

  createInputTopic<K, V>(name: string, keySerde: Serde<K>, valueSerde: Serde<V>, options: InputTopicOptions = {}): TestInputTopic<K, V> {
    this.declareTopic(name, options.partitions);
    return new TestInputTopic(name, keySerde, valueSerde, { pipe: (t, r) => this.pipe(t, r), now: () => this.clock.now() }, options);
  }

  createOutputTopic<K, V>(name: string, keySerde: Serde<K>, valueSerde: Serde<V>, options: OutputTopicOptions = {}): TestOutputTopic<K, V> {
    this.declareTopic(name, options.partitions);
    return new TestOutputTopic(name, keySerde, valueSerde, { fetch: (t, reader) => this.fetch(t, reader) });
  }

  private declareTopic(name: string, partitions: number | undefined): void {
    if (partitions !== undefined && !(Number.isInteger(partitions) && partitions > 0)) {
      throw new TributaryError(`Topic ${name}: partitions must be a positive integer`, { code: 'CONFIG' });
    }
    const known = this.topicPartitions.get(name);
    if (known !== undefined && partitions !== undefined && known !== partitions) {
      throw new TributaryError(`Topic ${name} was declared with ${known} partitions, now ${partitions}`, { code: 'CONFIG' });
    }
    if (known === undefined) this.topicPartitions.set(name, partitions ?? 1);
  }

  /** Creates the declared and the topology's external topics, starts the runtime and waits for its tasks. Called by every async operation. */
  async start(): Promise<void> {
    if (this.closed) throw new TributaryError('The driver is closed', { code: 'ILLEGAL_STATE' });
    this.starting ??= this.doStart();
    await this.starting;
  }

  private async doStart(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    this.admin = admin;
    const built = this.runtime.topology;
    const internal = new Set([...built.repartitionTopics.map((t) => t.name), ...built.changelogTopics.map((t) => t.name)]);
    for (const t of built.sourceTopics) if (!internal.has(t)) this.declareTopic(t, undefined);
    for (const g of built.globalStores) this.declareTopic(g.topic, undefined);
    for (const s of built.subtopologies)
      for (const sink of s.sinks) if (sink.topic !== null && !internal.has(sink.topic)) this.declareTopic(sink.topic, undefined);
    await this.createDeclaredTopics();
    this.producer = this.kafka.producer({ clientId: 'topology-test-driver-input' });
    await this.producer.connect();
    await this.runtime.start({ loop: false });
    const expected = built.subtopologies.reduce((n, s) => n + built.taskCount(s.id, (t) => this.runtime.partitionsFor(t)), 0);
    for (let i = 0; this.runtime.tasks().length < expected; i++) {
      if (i > 1000) throw new TributaryError(`The driver's runtime did not get its ${expected} tasks`, { code: 'ILLEGAL_STATE' });
      await this.runtime.runOnce(i < 10 ? 0 : 5);
    }
    this.started = true;
  }

  private async createDeclaredTopics(): Promise<void> {
    const existing = new Set(await this.admin!.listTopics());
    const specs = [...this.topicPartitions].filter(([t]) => !existing.has(t)).map(([topic, numPartitions]) => ({ topic, numPartitions }));
    if (specs.length > 0) await this.admin!.createTopics(specs);
  }

  private async pipe(
    topic: string,
    records: ReadonlyArray<{ key: Buffer | null; value: Buffer | null; timestamp: number; headers?: Headers; partition?: number }>,
  ): Promise<void> {
    await this.start();
    if (this.started) await this.createDeclaredTopics();
    await this.producer!.send(outgoingBatch(records.map((r) => ({ topic, ...r }))));
    await this.drain();
  }

  /**
   * Processes until nothing is left: polls and processes; when idle, hands records buffered for
   * repartition topics to Kafka (a send under at-least-once, a commit under exactly-once, since
   * the next sub-topology reads read_committed) and goes on until that produced nothing new.
   */
  private async drain(): Promise<void> {
    const exactlyOnce = this.runtime.config.exactlyOnce;
    for (let round = 0; round < MAX_DRAIN_ROUNDS; round++) {
      const processed = await this.runtime.runOnce(0);
      if (processed > 0) continue;
      const pending = this.runtime.tasks().filter((t) => t.collector.hasInternalWrites());
      if (pending.length === 0) return;
      if (exactlyOnce) await this.runtime.commit();
      else await this.runtime.sendBuffered(pending);
    }
    throw new TributaryError('The topology did not become idle (a cycle through a repartition topic?)', { code: 'ILLEGAL_STATE' });
  }

  /** Commits until a commit triggers no more processing (caches flushed through every sub-topology). */
  private async settle(): Promise<void> {
    for (let i = 0; i < MAX_DRAIN_ROUNDS; i++) {
      await this.drain();
      await this.runtime.commit();
      const busy = this.runtime.tasks().some((t) => t.numBuffered() > 0 || t.collector.size > 0);
      const processed = await this.runtime.runOnce(0);
      if (!busy && processed === 0 && !this.runtime.tasks().some((t) => t.commitNeeded())) return;
    }
  }

  private async fetch(topic: string, reader: object): Promise<IncomingRecord[]> {
    await this.start();
    await this.settle();
    let consumer = this.readers.get(reader);
    if (consumer === undefined) {
      consumer = this.kafka.consumer({ groupId: `topology-test-driver-reader-${++this.readerSeq}`, autoOffsetReset: 'earliest' });
      await consumer.connect();
      const [desc] = await this.admin!.describeTopics([topic]);
      await consumer.assign(Array.from({ length: desc!.partitions }, (_, partition) => ({ topic, partition })));
      this.readers.set(reader, consumer);
    }
    const out: IncomingRecord[] = [];
    for (;;) {
      const batches = fetchedBatches(await consumer.poll(0));
      let n = 0;
      for (const b of [...batches].sort((a, b) => a.partition - b.partition)) {
        for (const r of b.records) out.push(r);
        n += b.records.length;
      }
      if (n === 0) break;
    }
    return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }

  /** Moves the wall clock, fires due wall-clock punctuations, commits if the interval elapsed, and processes to completion. */
  async advanceWallClockTime(ms: number): Promise<void> {
    await this.start();
    this.clock.advance(ms);
    this.runtime.punctuateWallClock();
    await this.runtime.processAndMaybeCommit();
    await this.drain();
  }

  /** The driver's wall clock. */
  wallClockTime(): number {
    return this.clock.now();
  }

  /** Stores of the given name across tasks; throws if the driver has not started (pipe something or `await start()`). */
  getStateStores<S extends StateStore>(name: string): S[] {
    if (!this.started) {
      throw new TributaryError('The driver has not started yet: await driver.start() (or pipe a record) before reading stores', { code: 'ILLEGAL_STATE' });
    }
    const global = this.runtime.globalStores().get(name);
    if (global !== undefined) return [global as S];
    const stores = this.runtime.tasks().flatMap((t) => (t.stores.has(name) ? [t.stores.get(name) as S] : []));
    if (stores.length === 0) throw new TributaryError(`No state store named ${name}`, { code: 'STORE_NOT_AVAILABLE', context: { store: name } });
    return stores;
  }

  getStateStore<S extends StateStore>(name: string): S {
    return this.getStateStores<S>(name)[0]!;
  }

  /** A key-value store (a timestamped one is unwrapped to plain values). Spanning several tasks it is read-only. */
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> {
    const timestamped = this.isTimestamped(name);
    const stores = this.getStateStores<KeyValueStore<K, unknown>>(name).map((s) =>
      timestamped ? (unwrapTimestamped(s as KeyValueStore<K, never>) as KeyValueStore<K, V>) : (s as KeyValueStore<K, V>),
    );
    return combinedKeyValueStore(name, stores);
  }

  getTimestampedKeyValueStore<K, V>(name: string): TimestampedKeyValueStore<K, V> {
    return combinedKeyValueStore(name, this.getStateStores<TimestampedKeyValueStore<K, V>>(name));
  }

  getWindowStore<K, V>(name: string): ReadOnlyWindowStore<K, V> {
    return combinedWindowStore(this.getStateStores<StateStore & ReadOnlyWindowStore<K, V>>(name));
  }

  private isTimestamped(name: string): boolean {
    const global = this.runtime.topology.globalStores.find((g) => g.storeName === name);
    if (global) return global.builder instanceof TimestampedKeyValueStoreBuilder;
    for (const s of this.runtime.topology.subtopologies) {
      const store = s.stores.find((st) => st.name === name);
      if (store) return store.builder instanceof TimestampedKeyValueStoreBuilder;
    }
    return false;
  }

  /** Metrics of every task (reconcilable: recordsIn = processed + deadLettered + skipped). */
  metrics(): TaskMetricsSnapshot[] {
    return this.runtime.metrics();
  }

  /** Commits, closes the runtime and the broker, deletes the driver's state directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.starting !== null) await this.starting.catch(() => undefined);
      await this.runtime.close();
    } finally {
      for (const c of this.readers.values()) await c.close().catch(() => undefined);
      await this.producer?.disconnect().catch(() => undefined);
      await this.admin?.disconnect().catch(() => undefined);
      if (this.ownKafka !== null) await this.ownKafka.close();
      if (this.ownsStateDir !== null) await rm(this.ownsStateDir, { recursive: true, force: true });
    }
  }
}
