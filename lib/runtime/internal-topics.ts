/**
 * Start-up preparation of topics: checks that the user's source topics exist, validates
 * co-partitioning, and creates the internal topics (repartition: `cleanup.policy=delete`;
 * changelogs: compact, or compact,delete for windows) and the dead-letter topic with the right
 * partition counts before any task processes a record. Existing internal topics must have the
 * expected partition count.
 */
import { ConfigError, TributaryError } from '../errors.js';
import type { Admin, TopicSpec } from '../kafka/types.js';
import type { BuiltTopology } from '../topology/built-topology.js';

export interface PreparedTopics {
  /** Partition count of every topic the runtime knows about (sources, internal, existing sinks, DLQ). */
  readonly partitions: Map<string, number>;
  /** Resolved repartition topic names. */
  readonly repartition: ReadonlySet<string>;
  /** `max.message.bytes` of every topic the runtime writes to (sinks that exist, internal topics, the DLQ). */
  readonly maxMessageBytes: ReadonlyMap<string, number>;
}

export interface PrepareOptions {
  readonly deadLetterTopic: string;
  readonly deadLetterTopicPartitions: number;
  readonly replicationFactor: number | undefined;
}

export async function prepareTopics(admin: Admin, built: BuiltTopology, options: PrepareOptions): Promise<PreparedTopics> {
  const repartition = new Set(built.repartitionTopics.map((t) => t.name));
  const changelogs = new Map(built.changelogTopics.map((t) => [t.name, t]));
  const existing = new Set(await admin.listTopics());

  const userSources = [...new Set([...built.sourceTopics, ...built.globalStores.map((g) => g.topic)])].filter((t) => !repartition.has(t));
  const missing = userSources.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    throw new TributaryError(
      `Source topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} do${missing.length > 1 ? '' : 'es'} not exist; create ${missing.length > 1 ? 'them' : 'it'} first ` +
        '(on a cluster with ACLs, a topic the principal may not READ or DESCRIBE looks missing too)',
      { code: 'TOPIC_NOT_FOUND', context: { topic: missing[0]! } },
    );
  }
  const sinkTopics = new Set<string>();
  for (const s of built.subtopologies) for (const sink of s.sinks) if (sink.topic !== null && !repartition.has(sink.topic)) sinkTopics.add(sink.topic);

  const partitions = new Map<string, number>();
  const toDescribe = [...new Set([...userSources, ...[...sinkTopics].filter((t) => existing.has(t))])];
  if (existing.has(options.deadLetterTopic)) toDescribe.push(options.deadLetterTopic);
  // Partition counts only: no DESCRIBE_CONFIGS ACL needed on the application's topics.
  for (const d of toDescribe.length > 0 ? await admin.describeTopics(toDescribe, { configs: false }) : []) partitions.set(d.topic, d.partitions);

  const internal = built.internalTopicPartitions((t) => partitions.get(t));

  const existingInternal = [...internal.keys()].filter((t) => existing.has(t));
  for (const d of existingInternal.length > 0 ? await admin.describeTopics(existingInternal, { configs: false }) : []) {
    const expected = internal.get(d.topic)!;
    if (d.partitions !== expected) {
      throw new ConfigError(
        `Internal topic ${d.topic} has ${d.partitions} partitions but the topology needs ${expected}; ` +
          "delete it (tributary reset) or restore the source topics' partition counts",
        { context: { topic: d.topic } },
      );
    }
  }

  const specs: TopicSpec[] = [];
  const rf = options.replicationFactor === undefined ? {} : { replicationFactor: options.replicationFactor };
  for (const [name, count] of internal) {
    partitions.set(name, count);
    if (existing.has(name)) continue;
    const configs = repartition.has(name) ? built.repartitionTopics.find((t) => t.name === name)!.configs : (changelogs.get(name)?.configs ?? {});
    specs.push({ topic: name, numPartitions: count, configs, ...rf });
  }
  if (!existing.has(options.deadLetterTopic)) {
    specs.push({ topic: options.deadLetterTopic, numPartitions: options.deadLetterTopicPartitions, ...rf });
    partitions.set(options.deadLetterTopic, options.deadLetterTopicPartitions);
  }
  if (specs.length > 0) await admin.createTopics(specs);
  // The record size limits of the topics the tasks write to (outputs are checked before they are sent).
  const written = [...new Set([...[...sinkTopics].filter((t) => existing.has(t)), ...internal.keys(), options.deadLetterTopic])];
  const maxMessageBytes = new Map<string, number>();
  for (const d of await describeCreated(admin, written)) {
    const v = Number(d.configs?.['max.message.bytes']);
    if (Number.isSafeInteger(v) && v > 0) maxMessageBytes.set(d.topic, v);
  }
  return { partitions, repartition, maxMessageBytes };
}

/**
 * `describeTopics` of topics that exist (listed, created just now, or created by another instance
 * that won the race): on a cluster, a broker that has not applied a new topic yet does not list
 * it for a moment, which is not a missing topic.
 */
async function describeCreated(admin: Admin, topics: readonly string[]): ReturnType<Admin['describeTopics']> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await admin.describeTopics(topics);
    } catch (error) {
      if (!(error instanceof TributaryError && error.code === 'TOPIC_NOT_FOUND') || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
