/**
 * An in-process Kafka cluster behind the `KafkaClient` seam: topics with partition logs, consumer
 * groups, and transactions with read_committed isolation, in memory (nothing is written to disk).
 * Every admin, producer and consumer made by one `EmbeddedKafka` talks to the same broker, so a
 * test or demo can run a whole pipeline in one process. It passes the same conformance suite as
 * the kafkajs adapter against a real broker. `close()` clears its timers and fails later calls.
 */
import { TributaryError } from '../../errors.js';
import type { Admin, Consumer, ConsumerOptions, KafkaClient, Producer, ProducerOptions } from '../types.js';
import { EmbeddedAdmin } from './admin.js';
import type { AssignorName } from './assignors.js';
import { Broker } from './broker.js';
import { EmbeddedConsumer } from './consumer.js';
import { EmbeddedProducer } from './producer.js';

/** Options of an `EmbeddedKafka`: name, assignor, pretend broker count, topic defaults, retention and poll limits. */
export interface EmbeddedKafkaOptions {
  /** Shown in `name`. Default `embedded`. */
  readonly name?: string;
  /** Partition assignor of consumer groups. Default `range` (co-partitioned topics land together). */
  readonly assignor?: AssignorName;
  /** Brokers the cluster pretends to have: the largest replication factor accepted. Default 1. */
  readonly brokerCount?: number;
  /** Configs every created topic starts from (a topic's own configs win). */
  readonly topicDefaults?: Readonly<Record<string, string>>;
  /**
   * Manage logs like a broker, bounding memory in long runs: topics whose `cleanup.policy`
   * includes `delete` (the default) drop whole old segments past `retention.ms` /
   * `retention.bytes`; topics whose policy includes `compact` are compacted (latest record per
   * key, offsets kept; tombstones kept for `delete.retention.ms`). Default false: every record
   * stays in memory until the topic is deleted.
   */
  readonly enforceRetention?: boolean;
  /** Most records one partition contributes to one poll. Default 10000. */
  readonly maxPollRecordsPerPartition?: number;
  /** Byte budget of one poll across partitions (`fetch.max.bytes`). Default 52428800. */
  readonly maxBytesPerPoll?: number;
}

/**
 * An in-process Kafka (topics, consumer groups, transactions, read_committed) implementing the
 * `KafkaClient` seam: what the `TopologyTestDriver` runs on, and a `client` for `TributaryApp` in tests.
 */
export class EmbeddedKafka implements KafkaClient {
  readonly name: string;
  private readonly broker: Broker;

  constructor(options: EmbeddedKafkaOptions = {}) {
    this.name = options.name ?? 'embedded';
    const brokerCount = options.brokerCount ?? 1;
    const maxPollRecordsPerPartition = options.maxPollRecordsPerPartition ?? 10_000;
    const maxBytesPerPoll = options.maxBytesPerPoll ?? 52_428_800;
    for (const [k, v] of Object.entries({ brokerCount, maxPollRecordsPerPartition, maxBytesPerPoll })) {
      if (!Number.isInteger(v) || v < 1) throw new TributaryError(`EmbeddedKafka option ${k} must be a positive integer, got ${v}`, { code: 'CONFIG' });
    }
    this.broker = new Broker({
      assignor: options.assignor ?? 'range',
      brokerCount,
      topicDefaults: options.topicDefaults ?? {},
      enforceRetention: options.enforceRetention ?? false,
      maxPollRecordsPerPartition,
      maxBytesPerPoll,
      now: () => Date.now(),
    });
  }

  admin(): Admin {
    return new EmbeddedAdmin(this.broker);
  }

  producer(options: ProducerOptions = {}): Producer {
    return new EmbeddedProducer(this.broker, options);
  }

  consumer(options: ConsumerOptions): Consumer {
    return new EmbeddedConsumer(this.broker, options);
  }

  /** Stops the broker: clears its timers, wakes pending polls (they return nothing), fails later calls. */
  async close(): Promise<void> {
    this.broker.close();
    for (const name of this.broker.topics.names()) {
      for (const log of this.broker.topics.get(name)!.partitions) log.signal.fire();
    }
    this.broker.groups.wakeAll();
  }
}
