/**
 * The nodes of one task's processor graph, instantiated from a sub-topology: sources turn raw
 * records into `Record`s (key decoded at once, value on first read), processors run user or DSL
 * logic, sinks serialize and hand records to the task's collector. Everything here is synchronous.
 */
import { TributaryError } from '../errors.js';
import type { FetchedColumns, Headers, IncomingRecord } from '../kafka/types.js';
import { valueAt } from '../kafka/columns.js';
import type { Processor, Record } from '../topology/processor.js';
import { LAZY_VALUE, readsRecordFieldsOnly, UNREAD_VALUE_BYTES, unreadValueBytes } from '../topology/record.js';
import type { Serde } from '../serde/types.js';
import { sameFormat } from '../serde/serde-format.js';
import type { DecodedValueMemo } from './decoded-value-memo.js';
import type { StreamPartitioner, TopicNameExtractor } from '../topology/types.js';
import { SourceDeserializationError, tagged } from '../topology/node-failure.js';
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

  /** The processor only reads fields of its input records (see `FieldsOnlyReader`). */
  get readsRecordFieldsOnly(): boolean {
    return readsRecordFieldsOnly(this.processor);
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
  /**
   * A fixed internal topic partitioned by key: an input value that reaches this sink unchanged
   * is written as its input bytes when the serdes share a format (see `serde-format.ts`).
   */
  readonly passesValueBytes: boolean;
  /** The last source serde found to share this sink's value format. */
  private compatibleSerde: Serde<unknown> | null = null;

  constructor(
    name: string,
    private readonly task: TaskRecordContext,
    private readonly topic: string | null,
    private readonly topicExtractor: TopicNameExtractor | null,
    private readonly keySerde: Serde<unknown>,
    readonly valueSerde: Serde<unknown>,
    private readonly partitioner: StreamPartitioner | undefined,
  ) {
    super(name);
    this.keyReusable = REUSABLE.has(keySerde);
    this.internal = topic === null ? null : task.collector.isInternal(topic);
    this.passesValueBytes = this.internal === true && partitioner === undefined;
  }

  process(record: AnyRecord): void {
    try {
      const task = this.task;
      if (this.passesValueBytes) {
        // A lazy value never read is written as it came, without decoding it here.
        const bytes = unreadValueBytes(record, this.valueSerde);
        if (bytes !== null) {
          const topic = this.topic!;
          this.startWithKey(record.key, topic);
          task.collector.endOutputBytes(topic, -1, record.timestamp, record.headers, bytes, this.internal!);
          return;
        }
      }
      const { key, value } = record;
      const topic = this.topic ?? this.topicExtractor!(key, value, task);
      // The value first (serializers run in this order), then the key, then the record is written.
      let valueText: string | null = null;
      let valueBytes: Buffer | null = null;
      if (value !== null && value !== undefined) {
        if (this.passesValueBytes) valueBytes = this.unchangedBytes(value, task.decodedValues);
        if (valueBytes === null) {
          const serde = this.valueSerde;
          if (serde.serializeText !== undefined) valueText = serde.serializeText(value, topic);
          else valueBytes = serde.serialize(value, topic);
        }
      }
      let partition = -1;
      if (this.partitioner !== undefined) {
        const count = this.task.partitionsFor(topic);
        if (count === undefined) {
          throw new TributaryError(`Sink ${this.name}: partition count of topic ${topic} is unknown (does it exist?)`, {
            code: 'TOPIC_NOT_FOUND',
            context: { topic },
          });
        }
        partition = this.partitioner(topic, key, value, count) ?? -1;
      }
      this.startWithKey(key, topic);
      const internal = this.internal ?? task.collector.isInternal(topic);
      if (valueText !== null) task.collector.endOutputText(topic, partition, record.timestamp, record.headers, valueText, internal);
      else task.collector.endOutputBytes(topic, partition, record.timestamp, record.headers, valueBytes, internal);
    } catch (error) {
      throw tagged(error, this.name);
    }
  }

  /** Serializes the key and starts the output record with it. */
  private startWithKey(key: unknown, topic: string): void {
    const task = this.task;
    const collector = task.collector;
    if (key === null || key === undefined) {
      collector.startRecord();
    } else if (this.keyReusable && key === task.sourceKey && this.keySerde === task.sourceKeySerde && task.sourceKeyChunk !== null) {
      collector.startRecord();
      collector.keyRange(task.sourceKeyChunk, task.sourceKeyStart, task.sourceKeyEnd);
    } else if (this.keySerde.serializeText !== undefined) {
      const text = this.keySerde.serializeText(key, topic);
      collector.startRecord();
      collector.keyText(text);
    } else {
      const bytes = this.keySerde.serialize(key, topic);
      collector.startRecord();
      collector.keyBytes(bytes);
    }
  }

  /** The input bytes of `value` when a source decoded it with a serde of this sink's format and it is unchanged. */
  private unchangedBytes(value: unknown, memo: DecodedValueMemo): Buffer | null {
    const by = memo.decodedBy;
    if (by === null) return null;
    if (by !== this.compatibleSerde) {
      if (!sameFormat(by, this.valueSerde)) return null;
      this.compatibleSerde = by;
    }
    return memo.bytesIfUnchanged(value);
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
  #cols: FetchedColumns;
  #i: number;
  #value: unknown = UNREAD;

  constructor(source: SourceNode, cols: FetchedColumns, i: number, key: unknown, timestamp: number, headers: Headers) {
    this.key = key;
    Object.defineProperty(this, 'value', LazySourceRecord.valueProperty);
    this.timestamp = timestamp;
    this.headers = headers;
    this.#source = source;
    this.#cols = cols;
    this.#i = i;
  }

  private static readonly valueProperty: PropertyDescriptor = {
    get(this: LazySourceRecord): unknown {
      if (this.#value === UNREAD) {
        this.#source.lazyReads++;
        this.#value = this.#source.decodeValueAt(this.#cols, this.#i);
      }
      return this.#value;
    },
    enumerable: true,
    configurable: false,
  };

  /** The value's input bytes while it was never read, if `serde` shares the source's format; else null. */
  [UNREAD_VALUE_BYTES](serde: Serde<unknown>): Buffer | null {
    return this.#value === UNREAD && this.#source.sharesValueFormat(serde) ? valueAt(this.#cols, this.#i) : null;
  }
}
Object.defineProperty(LazySourceRecord.prototype, LAZY_VALUE, { value: true });

/**
 * `LazySourceRecord` for children that only read record fields (`FieldsOnlyReader`):
 * the same lazy value, through a getter on the prototype instead of an own accessor, so
 * creating one costs what a plain object does (no property definition per record).
 */
class FieldsOnlyLazyRecord {
  readonly key: unknown;
  readonly timestamp: number;
  readonly headers: Headers;
  #source: SourceNode;
  #cols: FetchedColumns;
  #i: number;
  #value: unknown = UNREAD;

  constructor(source: SourceNode, cols: FetchedColumns, i: number, key: unknown, timestamp: number, headers: Headers) {
    this.key = key;
    this.timestamp = timestamp;
    this.headers = headers;
    this.#source = source;
    this.#cols = cols;
    this.#i = i;
  }

  get value(): unknown {
    if (this.#value === UNREAD) {
      this.#source.lazyReads++;
      this.#value = this.#source.decodeValueAt(this.#cols, this.#i);
    }
    return this.#value;
  }

  [UNREAD_VALUE_BYTES](serde: Serde<unknown>): Buffer | null {
    return this.#value === UNREAD && this.#source.sharesValueFormat(serde) ? valueAt(this.#cols, this.#i) : null;
  }
}
Object.defineProperty(FieldsOnlyLazyRecord.prototype, LAZY_VALUE, { value: true });

/** Records sampled lazily before deciding; records decoded eagerly before sampling again. */
const SAMPLE = 256;
const EAGER_RUN = 65_536;

export class SourceNode extends RuntimeNode {
  /** Lazy values read during the current sample. */
  lazyReads = 0;
  private sampled = 0;
  private eagerLeft = 0;
  /**
   * Set by the task when one of its sinks may write this source's values as their input bytes:
   * every value decoded is remembered there (see `decoded-value-memo.ts`).
   */
  decodedValues: DecodedValueMemo | null = null;
  /** Set by the task when every child only reads record fields (`FieldsOnlyReader`). */
  childrenReadFieldsOnly = false;
  /** The last serde found to share this source's value format. */
  private sameFormatSerde: Serde<unknown> | null = null;

  constructor(
    name: string,
    private readonly keySerde: Serde<unknown>,
    readonly valueSerde: Serde<unknown>,
  ) {
    super(name);
  }

  /** True when `serde` decodes this source's value bytes as its own value serde does (same built-in format). */
  sharesValueFormat(serde: Serde<unknown>): boolean {
    if (serde === this.sameFormatSerde) return true;
    if (!sameFormat(serde, this.valueSerde)) return false;
    this.sameFormatSerde = serde;
    return true;
  }

  /** Decodes the value of record i on the processing path; remembers it for a sink that may reuse its bytes. */
  decodeValueAt(cols: FetchedColumns, i: number): unknown {
    const value = this.deserializeValueAt(cols, i);
    const chunk = cols.valueChunks[i]!;
    if (this.decodedValues !== null && chunk !== null)
      this.decodedValues.rememberRange(value, chunk, cols.valueStarts[i]!, cols.valueEnds[i]!, this.valueSerde);
    return value;
  }

  /** Decodes the value of record i (null chunk: null value). */
  deserializeValueAt(cols: FetchedColumns, i: number): unknown {
    const chunk = cols.valueChunks[i]!;
    if (chunk === null) return null;
    const start = cols.valueStarts[i]!;
    const end = cols.valueEnds[i]!;
    const serde = this.valueSerde;
    try {
      return serde.deserializeRange !== undefined
        ? serde.deserializeRange(chunk, start, end, cols.topic)
        : serde.deserialize(chunk.subarray(start, end), cols.topic);
    } catch (error) {
      throw new SourceDeserializationError(this.name, 'value', cols.topic, error);
    }
  }

  /** Decodes the key of record i (null chunk: null key). */
  deserializeKeyAt(cols: FetchedColumns, i: number): unknown {
    const chunk = cols.keyChunks[i]!;
    if (chunk === null) return null;
    const serde = this.keySerde;
    try {
      return serde.deserializeRange !== undefined
        ? serde.deserializeRange(chunk, cols.keyStarts[i]!, cols.keyEnds[i]!, cols.topic)
        : serde.deserialize(chunk.subarray(cols.keyStarts[i]!, cols.keyEnds[i]!), cols.topic);
    } catch (error) {
      throw new SourceDeserializationError(this.name, 'key', cols.topic, error);
    }
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
   * Forwards record i of `cols` with its key deserialized and its value deserialized on first read
   * (a getter that caches; spreading the record reads it). A failure to deserialize the value
   * surfaces wherever it is first read, as a `SourceDeserializationError`. Adaptive: when every
   * value of a sample of records was read anyway, the next run of records is decoded eagerly
   * (as Kafka Streams always does), then laziness is sampled again.
   */
  processAt(cols: FetchedColumns, i: number, timestamp: number, headers: Headers, task: TaskRecordContext): void {
    const key = this.deserializeKeyAt(cols, i);
    task.sourceKey = key;
    task.sourceKeyChunk = cols.keyChunks[i]!;
    task.sourceKeyStart = cols.keyStarts[i]!;
    task.sourceKeyEnd = cols.keyEnds[i]!;
    task.sourceKeySerde = this.keySerde;
    if (this.eagerLeft > 0) {
      // Every value of the last sample was read: decode up front (cheaper than a lazy record).
      this.eagerLeft--;
      this.forward({ key, value: this.decodeValueAt(cols, i), timestamp, headers });
      return;
    }
    this.forward(this.lazyRecord(cols, i, key, timestamp, headers));
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

  private lazyRecord(cols: FetchedColumns, i: number, key: unknown, timestamp: number, headers: Headers): AnyRecord {
    if (cols.valueChunks[i] === null) return { key, value: null, timestamp, headers };
    if (this.childrenReadFieldsOnly) return new FieldsOnlyLazyRecord(this, cols, i, key, timestamp, headers);
    return new LazySourceRecord(this, cols, i, key, timestamp, headers);
  }
}
