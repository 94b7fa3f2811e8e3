/**
 * The nodes of one task's processor graph, instantiated from a sub-topology: sources turn raw
 * records into `Record`s (key decoded at once, value on first read), processors run user or DSL
 * logic, sinks serialize and hand records to the task's collector. Everything here is synchronous.
 */
import { TributaryError } from '../errors.js';
import type { Headers, IncomingRecord } from '../kafka/types.js';
import type { Processor, Record } from '../topology/processor.js';
import { LAZY_VALUE } from '../topology/record.js';
import type { Serde } from '../serde/types.js';
import type { StreamPartitioner, TopicNameExtractor } from '../topology/types.js';
import { SourceDeserializationError, tagged } from './node-failure.js';
import type { TaskRecordContext } from './task-record-context.js';
import { doubleSerde, int32Serde, int64Serde, stringSerde } from '../serde/primitive-serdes.js';

type AnyRecord = Record<unknown, unknown>;

/**
 * Serdes whose bytes depend only on the (immutable, primitive) value — not on the topic — so a
 * key passed through unchanged can keep its input bytes.
 */
const REUSABLE: ReadonlySet<unknown> = new Set<unknown>([stringSerde, int32Serde, int64Serde, doubleSerde]);

export abstract class RuntimeNode {
  children: RuntimeNode[] = [];
  private childByName: Map<string, RuntimeNode> | null = null;

  constructor(readonly name: string) {}

  abstract process(record: AnyRecord): void;

  forward(record: AnyRecord, childName?: string): void {
    if (childName === undefined) {
      const children = this.children;
      for (let i = 0; i < children.length; i++) children[i]!.process(record);
      return;
    }
    if (this.childByName === null) this.childByName = new Map(this.children.map((c) => [c.name, c]));
    const child = this.childByName.get(childName);
    if (child === undefined) {
      throw new TributaryError(`${childName} is not a child of ${this.name}`, { code: 'TOPOLOGY' });
    }
    child.process(record);
  }
}

export class ProcessorNode extends RuntimeNode {
  constructor(
    name: string,
    readonly processor: Processor<unknown, unknown, unknown, unknown>,
  ) {
    super(name);
  }

  process(record: AnyRecord): void {
    try {
      this.processor.process(record);
    } catch (error) {
      throw tagged(error, this.name);
    }
  }
}

export class SinkNode extends RuntimeNode {
  /** The key serde may reuse the input key's bytes (decided once, not per record). */
  private readonly keyReusable: boolean;
  /** For a fixed topic: whether it is internal (repartition); null with a topic extractor. */
  private readonly internal: boolean | null;

  constructor(
    name: string,
    private readonly task: TaskRecordContext,
    private readonly topic: string | null,
    private readonly topicExtractor: TopicNameExtractor | null,
    private readonly keySerde: Serde<unknown>,
    private readonly valueSerde: Serde<unknown>,
    private readonly partitioner: StreamPartitioner | undefined,
  ) {
    super(name);
    this.keyReusable = REUSABLE.has(keySerde);
    this.internal = topic === null ? null : task.collector.isInternal(topic);
  }

  process(record: AnyRecord): void {
    try {
      const { key, value } = record;
      const task = this.task;
      const topic = this.topic ?? this.topicExtractor!(key, value, task);
      const keyBytes =
        key === null || key === undefined
          ? null
          : this.keyReusable && key === task.sourceKey && this.keySerde === task.sourceKeySerde
            ? task.sourceKeyBytes
            : this.keySerde.serialize(key, topic);
      const valueBytes = value === null || value === undefined ? null : this.valueSerde.serialize(value, topic);
      let partition: number | undefined;
      if (this.partitioner !== undefined) {
        const count = this.task.partitionsFor(topic);
        if (count === undefined) {
          throw new TributaryError(`Sink ${this.name}: partition count of topic ${topic} is unknown (does it exist?)`, {
            code: 'TOPIC_NOT_FOUND',
            context: { topic },
          });
        }
        partition = this.partitioner(topic, key, value, count);
      }
      const out =
        partition === undefined
          ? { topic, key: keyBytes, value: valueBytes, timestamp: record.timestamp, headers: record.headers }
          : { topic, partition, key: keyBytes, value: valueBytes, timestamp: record.timestamp, headers: record.headers };
      const internal = this.internal;
      if (internal === null) task.collector.output(out);
      else task.collector.outputKnown(out, internal);
    } catch (error) {
      throw tagged(error, this.name);
    }
  }
}

const UNREAD: unique symbol = Symbol('unread');

/**
 * A source record whose value is deserialized on first read. `value` is an own, enumerable
 * accessor (so spreading the record reads it, and `topology/record.ts` can tell a lazy record
 * from a plain one); the getter is shared and the state private, which keeps creation ~10x
 * cheaper than an object literal with a per-record getter closure.
 */
class LazySourceRecord {
  declare readonly value: unknown;
  readonly key: unknown;
  readonly timestamp: number;
  readonly headers: Headers;
  #source: SourceNode;
  #raw: IncomingRecord;
  #value: unknown = UNREAD;

  constructor(source: SourceNode, raw: IncomingRecord, key: unknown, timestamp: number, headers: Headers) {
    this.key = key;
    Object.defineProperty(this, 'value', LazySourceRecord.valueProperty);
    this.timestamp = timestamp;
    this.headers = headers;
    this.#source = source;
    this.#raw = raw;
  }

  private static readonly valueProperty: PropertyDescriptor = {
    get(this: LazySourceRecord): unknown {
      if (this.#value === UNREAD) {
        this.#source.lazyReads++;
        this.#value = this.#source.deserializeValue(this.#raw);
      }
      return this.#value;
    },
    enumerable: true,
    configurable: false,
  };
}
Object.defineProperty(LazySourceRecord.prototype, LAZY_VALUE, { value: true });

/** Records sampled lazily before deciding; records decoded eagerly before sampling again. */
const SAMPLE = 256;
const EAGER_RUN = 65_536;

export class SourceNode extends RuntimeNode {
  /** Lazy values read during the current sample. */
  lazyReads = 0;
  private sampled = 0;
  private eagerLeft = 0;

  constructor(
    name: string,
    private readonly keySerde: Serde<unknown>,
    private readonly valueSerde: Serde<unknown>,
  ) {
    super(name);
  }

  /** Sources are entered through `processRaw`. */
  process(record: AnyRecord): void {
    this.forward(record);
  }

  deserializeKey(raw: IncomingRecord): unknown {
    if (raw.key === null) return null;
    try {
      return this.keySerde.deserialize(raw.key, raw.topic);
    } catch (error) {
      throw new SourceDeserializationError(this.name, 'key', raw.topic, error);
    }
  }

  deserializeValue(raw: IncomingRecord): unknown {
    if (raw.value === null) return null;
    try {
      return this.valueSerde.deserialize(raw.value, raw.topic);
    } catch (error) {
      throw new SourceDeserializationError(this.name, 'value', raw.topic, error);
    }
  }

  /**
   * Forwards the raw record with its key deserialized and its value deserialized on first read
   * (a getter that caches; spreading the record reads it). A failure to deserialize the value
   * surfaces wherever it is first read, as a `SourceDeserializationError`. Adaptive: when every
   * value of a sample of records was read anyway, the next run of records is decoded eagerly
   * (as Kafka Streams always does), then laziness is sampled again.
   */
  processRaw(raw: IncomingRecord, timestamp: number, task: TaskRecordContext): void {
    const key = this.deserializeKey(raw);
    task.sourceKey = key;
    task.sourceKeyBytes = raw.key;
    task.sourceKeySerde = this.keySerde;
    if (this.eagerLeft > 0) {
      // Every value of the last sample was read: decode up front (cheaper than a lazy record).
      this.eagerLeft--;
      this.forward({ key, value: this.deserializeValue(raw), timestamp, headers: raw.headers });
      return;
    }
    this.forward(this.lazyRecord(raw, key, timestamp, raw.headers));
    if (++this.sampled === SAMPLE) {
      if (this.lazyReads >= SAMPLE) this.eagerLeft = EAGER_RUN;
      this.sampled = 0;
      this.lazyReads = 0;
    }
  }

  /** Forwards a record whose key and value were already deserialized (custom timestamp extractors need both). */
  processDecoded(key: unknown, value: unknown, timestamp: number, headers: Headers): void {
    this.forward({ key, value, timestamp, headers });
  }

  private lazyRecord(raw: IncomingRecord, key: unknown, timestamp: number, headers: Headers): AnyRecord {
    if (raw.value === null) return { key, value: null, timestamp, headers };
    return new LazySourceRecord(this, raw, key, timestamp, headers);
  }
}
