/**
 * Reads what the topology wrote to an output topic of a `TopologyTestDriver`. Every read first
 * commits the application (so cached updates are flushed and transactions committed — outputs
 * are read read_committed) and processes whatever that triggers. Records of a multi-partition
 * topic come partition by partition, each in offset order.
 */
import type { IncomingRecord } from '../kafka/types.js';
import type { Serde } from '../serde/types.js';
import type { KeyValuePair, OutputRecord } from './test-record.js';

/** @internal What an output topic needs from the driver. */
export interface OutputSource {
  /** Commits, drains, and returns the records of `topic` not yet returned to this reader. */
  fetch(topic: string, reader: object): Promise<IncomingRecord[]>;
}

/** Reads what a topology wrote to a topic of a `TopologyTestDriver` (committing first, so cached updates are flushed). */
export class TestOutputTopic<K, V> {
  private readonly buffer: OutputRecord<K, V>[] = [];

  /** @internal Use `TopologyTestDriver.createOutputTopic`. */
  constructor(
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly source: OutputSource,
  ) {}

  private async fill(): Promise<void> {
    for (const r of await this.source.fetch(this.name, this)) {
      this.buffer.push({
        key: (r.key === null ? null : this.keySerde.deserialize(r.key, this.name)) as K,
        value: (r.value === null ? null : this.valueSerde.deserialize(r.value, this.name)) as V,
        timestamp: r.timestamp,
        headers: r.headers,
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
      });
    }
  }

  /** The next record; throws when there is none. */
  async readRecord(): Promise<OutputRecord<K, V>> {
    await this.fill();
    const r = this.buffer.shift();
    if (r === undefined) throw new Error(`No more records in output topic ${this.name}`);
    return r;
  }

  async readKeyValue(): Promise<KeyValuePair<K, V>> {
    const r = await this.readRecord();
    return { key: r.key, value: r.value };
  }

  async readValue(): Promise<V> {
    return (await this.readRecord()).value;
  }

  async readRecordsToList(): Promise<OutputRecord<K, V>[]> {
    await this.fill();
    return this.buffer.splice(0, this.buffer.length);
  }

  async readKeyValuesToList(): Promise<KeyValuePair<K, V>[]> {
    return (await this.readRecordsToList()).map((r) => ({ key: r.key, value: r.value }));
  }

  async readValuesToList(): Promise<V[]> {
    return (await this.readRecordsToList()).map((r) => r.value);
  }

  /** Latest value per key (a null value removes the key), like reading a compacted topic. */
  async readKeyValuesToMap(): Promise<Map<K, V>> {
    const map = new Map<K, V>();
    for (const r of await this.readRecordsToList()) {
      if (r.value === null) map.delete(r.key);
      else map.set(r.key, r.value);
    }
    return map;
  }

  async getQueueSize(): Promise<number> {
    await this.fill();
    return this.buffer.length;
  }

  async isEmpty(): Promise<boolean> {
    return (await this.getQueueSize()) === 0;
  }
}
