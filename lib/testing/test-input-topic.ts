/**
 * Pipes records into an input topic of a `TopologyTestDriver`. Every pipe call resolves after the
 * runtime processed the records to completion (including through repartition topics), so outputs
 * and stores can be inspected right after. Timestamps default to the topic's clock: the driver's
 * wall clock at creation, or `startTimestamp`, advanced by `autoAdvanceMs` after each record.
 */
import type { Headers } from '../kafka/types.js';
import type { Serde } from '../serde/types.js';
import type { KeyValuePair, TestRecord } from './test-record.js';

/** Options of `TopologyTestDriver.createInputTopic`: partitions, the first record timestamp and how far each record without one advances it. */
export interface InputTopicOptions {
  /** Partitions of the topic when the driver creates it. Default 1. */
  readonly partitions?: number;
  /** Timestamp of the first record piped without one. Default: the driver's wall clock. */
  readonly startTimestamp?: number;
  /** Added to the auto timestamp after each record piped without a timestamp. Default 0. */
  readonly autoAdvanceMs?: number;
}

/** @internal What an input topic needs from the driver. */
export interface InputSink {
  pipe(
    topic: string,
    records: ReadonlyArray<{ key: Buffer | null; value: Buffer | null; timestamp: number; headers?: Headers; partition?: number }>,
  ): Promise<void>;
  now(): number;
}

/** Pipes records into a topic of a `TopologyTestDriver`; each `pipeInput` resolves after the records were processed to completion. */
export class TestInputTopic<K, V> {
  private nextTimestamp: number | undefined;
  private readonly autoAdvanceMs: number;

  /** @internal Use `TopologyTestDriver.createInputTopic`. */
  constructor(
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly sink: InputSink,
    options: InputTopicOptions,
  ) {
    this.nextTimestamp = options.startTimestamp;
    this.autoAdvanceMs = options.autoAdvanceMs ?? 0;
  }

  /** Pipes one record and processes it to completion. */
  async pipeInput(key: K, value: V, timestamp?: number, headers?: Headers): Promise<void> {
    await this.pipeRecordList([{ key, value, ...(timestamp === undefined ? {} : { timestamp }), ...(headers === undefined ? {} : { headers }) }]);
  }

  /** Pipes a value with a null key. */
  async pipeValue(value: V, timestamp?: number): Promise<void> {
    await this.pipeInput(null as K, value, timestamp);
  }

  async pipeKeyValueList(pairs: readonly KeyValuePair<K, V>[], startTimestamp?: number, advanceMs = 0): Promise<void> {
    let ts = startTimestamp;
    await this.pipeRecordList(
      pairs.map((p) => {
        const r: TestRecord<K, V> = ts === undefined ? { key: p.key, value: p.value } : { key: p.key, value: p.value, timestamp: ts };
        if (ts !== undefined) ts += advanceMs;
        return r;
      }),
    );
  }

  /** Pipes records (all produced first, then processed to completion). */
  async pipeRecordList(records: readonly TestRecord<K, V>[]): Promise<void> {
    const out = records.map((r) => {
      const key = r.key === null || r.key === undefined ? null : this.keySerde.serialize(r.key, this.name);
      const value = r.value === null || r.value === undefined ? null : this.valueSerde.serialize(r.value, this.name);
      const base = { key, value, timestamp: r.timestamp ?? this.autoTimestamp() };
      return {
        ...base,
        ...(r.headers === undefined ? {} : { headers: r.headers }),
        ...(r.partition === undefined ? {} : { partition: r.partition }),
      };
    });
    await this.sink.pipe(this.name, out);
  }

  async pipeRecord(record: TestRecord<K, V>): Promise<void> {
    await this.pipeRecordList([record]);
  }

  private autoTimestamp(): number {
    if (this.nextTimestamp === undefined) return this.sink.now();
    const ts = this.nextTimestamp;
    this.nextTimestamp += this.autoAdvanceMs;
    return ts;
  }
}
