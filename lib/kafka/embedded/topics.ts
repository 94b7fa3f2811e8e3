/**
 * Topics of the embedded broker: names, partition logs and configs, validated the way a Kafka
 * broker validates CreateTopics (legal names, partition count, replication factor no larger than
 * the broker count, known numeric configs). Topics are never auto-created.
 */
import { TributaryError } from '../../errors.js';
import type { TopicDescription, TopicSpec } from '../types.js';
import { PartitionLog } from './partition-log.js';

/** Kafka's default `max.message.bytes`. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

export interface Topic {
  readonly name: string;
  /** Changes when a topic is deleted and created again under the same name. */
  readonly id: number;
  readonly partitions: readonly PartitionLog[];
  readonly configs: Readonly<Record<string, string>>;
  readonly maxMessageBytes: number;
  /** -1 = unlimited. */
  readonly retentionMs: number;
  readonly retentionBytes: number;
  /** `cleanup.policy` includes `delete` (the default): retention applies. */
  readonly cleanupDelete: boolean;
  /** `cleanup.policy` includes `compact`: the log keeps the latest record per key. */
  readonly cleanupCompact: boolean;
  /** `delete.retention.ms`: how long tombstones survive compaction (Kafka's default: one day). */
  readonly deleteRetentionMs: number;
}

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;
const NUMERIC_CONFIGS = ['retention.ms', 'retention.bytes', 'max.message.bytes', 'segment.bytes', 'segment.ms', 'min.insync.replicas', 'delete.retention.ms'];

export class TopicRegistry {
  private readonly topics = new Map<string, Topic>();
  private nextId = 1;

  constructor(
    private readonly brokerCount: number,
    private readonly defaultConfigs: Readonly<Record<string, string>>,
    /** Called after a topic is created or deleted. */
    private readonly onChange: (topic: string) => void,
  ) {}

  /** Creates the topic unless it exists; returns whether it was created. Throws on an invalid spec. */
  create(spec: TopicSpec): boolean {
    const name = spec.topic;
    validateName(name);
    if (this.topics.has(name)) return false;
    const collision = [...this.topics.keys()].find((t) => t.replaceAll('.', '_') === name.replaceAll('.', '_'));
    if (collision !== undefined) {
      throw new TributaryError(`Topic '${name}' collides with existing topic '${collision}' ('.' and '_' are interchangeable in metric names)`, {
        code: 'KAFKA',
        context: { topic: name },
      });
    }
    if (!Number.isInteger(spec.numPartitions) || spec.numPartitions < 1) {
      throw new TributaryError(`Invalid partition count ${spec.numPartitions} for topic '${name}': must be an integer >= 1`, {
        code: 'KAFKA',
        context: { topic: name },
      });
    }
    const rf = spec.replicationFactor ?? -1;
    if (rf !== -1 && (!Number.isInteger(rf) || rf < 1 || rf > this.brokerCount)) {
      throw new TributaryError(`Invalid replication factor ${rf} for topic '${name}': the embedded cluster has ${this.brokerCount} broker(s)`, {
        code: 'KAFKA',
        context: { topic: name },
      });
    }
    const configs = { ...this.defaultConfigs, ...(spec.configs ?? {}) };
    validateConfigs(name, configs);
    const policies = (configs['cleanup.policy'] ?? 'delete').split(',').map((p) => p.trim());
    const partitions: PartitionLog[] = [];
    for (let p = 0; p < spec.numPartitions; p++) partitions.push(new PartitionLog(name, p));
    this.topics.set(name, {
      name,
      id: this.nextId++,
      partitions,
      configs,
      maxMessageBytes: numberConfig(configs, 'max.message.bytes', DEFAULT_MAX_MESSAGE_BYTES),
      retentionMs: numberConfig(configs, 'retention.ms', -1),
      retentionBytes: numberConfig(configs, 'retention.bytes', -1),
      cleanupDelete: policies.includes('delete'),
      cleanupCompact: policies.includes('compact'),
      deleteRetentionMs: numberConfig(configs, 'delete.retention.ms', 86_400_000),
    });
    this.onChange(name);
    return true;
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  /** The topic, or a `TOPIC_NOT_FOUND` error naming it. */
  require(name: string): Topic {
    const t = this.topics.get(name);
    if (t === undefined) throw topicNotFound(name);
    return t;
  }

  /** The partition log, or `TOPIC_NOT_FOUND` for a missing topic or partition. */
  requirePartition(name: string, partition: number): PartitionLog {
    const log = this.require(name).partitions[partition];
    if (log === undefined) {
      throw new TributaryError(`Partition ${partition} of topic '${name}' does not exist`, {
        code: 'TOPIC_NOT_FOUND',
        context: { topic: name, partition },
      });
    }
    return log;
  }

  describe(name: string): TopicDescription {
    const t = this.require(name);
    return { topic: t.name, partitions: t.partitions.length, configs: { ...t.configs } };
  }

  names(): string[] {
    return [...this.topics.keys()].sort();
  }

  delete(name: string): boolean {
    const t = this.topics.get(name);
    if (t === undefined) return false;
    this.topics.delete(name);
    // Wake readers of the old logs so they notice the topic is gone.
    for (const p of t.partitions) p.signal.fire();
    this.onChange(name);
    return true;
  }
}

export function topicNotFound(topic: string): TributaryError {
  return new TributaryError(`Topic '${topic}' does not exist (auto.create.topics is off)`, {
    code: 'TOPIC_NOT_FOUND',
    context: { topic },
  });
}

function validateName(name: string): void {
  if (name.length === 0 || name.length > 249 || name === '.' || name === '..' || !LEGAL_NAME.test(name)) {
    throw new TributaryError(`Invalid topic name '${name}': use 1-249 characters of [a-zA-Z0-9._-], not '.' or '..'`, {
      code: 'KAFKA',
      context: { topic: name },
    });
  }
}

function validateConfigs(topic: string, configs: Record<string, string>): void {
  for (const key of NUMERIC_CONFIGS) {
    const v = configs[key];
    if (v !== undefined && !/^-?\d+$/.test(v)) {
      throw new TributaryError(`Invalid value '${v}' for config '${key}' of topic '${topic}': expected an integer`, {
        code: 'KAFKA',
        context: { topic },
      });
    }
  }
  const policy = configs['cleanup.policy'];
  if (policy !== undefined && !policy.split(',').every((p) => p.trim() === 'delete' || p.trim() === 'compact')) {
    throw new TributaryError(`Invalid cleanup.policy '${policy}' of topic '${topic}': expected delete, compact or both`, {
      code: 'KAFKA',
      context: { topic },
    });
  }
}

function numberConfig(configs: Record<string, string>, key: string, fallback: number): number {
  const v = configs[key];
  return v === undefined ? fallback : Number(v);
}
