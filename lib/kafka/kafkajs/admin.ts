/**
 * `Admin` over the kafkajs admin client. Topic creation is idempotent (existing topics are left
 * alone and not reported as created); describe fails with `TOPIC_NOT_FOUND` naming the topic;
 * delete ignores missing topics.
 *
 * `fetchTopicOffsets().high`: kafkajs' admin only lists offsets at read_committed (the last stable
 * offset), so the high watermark (the default, `isolation: 'read_uncommitted'`) comes from
 * ListOffsets on a short-lived read_uncommitted kafkajs cluster made by the same `Kafka` instance
 * (see internals.ts). Without those internals `high` falls back to the last stable offset.
 */
import './aborted-filter.js';
import kafkajs, { type Admin as KjsAdmin, type Kafka } from 'kafkajs';
import { TributaryError } from '../../errors.js';
import type { Admin, FetchOffsetsOptions, PartitionOffsets, TopicDescription, TopicPartitionOffset, TopicSpec } from '../types.js';
import { protocolType, translateError } from './errors.js';
import { ISOLATION_READ_UNCOMMITTED, kafkajsInternals, type KjsCluster } from './internals.js';

// Not among the named exports Node detects in kafkajs' CommonJS build: take it from the default export.
const { ConfigResourceTypes } = kafkajs;

export class KafkajsAdmin implements Admin {
  private readonly admin: KjsAdmin;

  constructor(private readonly kafka: Kafka) {
    this.admin = kafka.admin();
  }

  /**
   * High watermarks through a short-lived read_uncommitted cluster (one per call: a long-lived one
   * would keep refreshing metadata for every topic it ever saw, and fail once one is deleted).
   * Undefined without kafkajs internals.
   */
  private async highWatermarks(topic: string, partitions: number[]): Promise<Map<number, number> | undefined> {
    const internals = kafkajsInternals(this.kafka);
    if (internals === undefined) return undefined;
    // A fresh cluster's first metadata request can race a just-created topic's leader election
    // (UNKNOWN_TOPIC_OR_PARTITION, retriable): retry a few times with a short backoff.
    for (let attempt = 0; ; attempt++) {
      const cluster: KjsCluster = internals.createCluster(ISOLATION_READ_UNCOMMITTED);
      try {
        await cluster.connect();
        await cluster.addMultipleTargetTopics([topic]);
        const [hw] = await cluster.fetchTopicsOffset([{ topic, fromBeginning: false, partitions: partitions.map((partition) => ({ partition })) }]);
        return new Map((hw?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      } catch (e) {
        if (attempt >= 5 || (e as { retriable?: boolean }).retriable !== true) throw e;
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      } finally {
        await cluster.disconnect().catch(() => undefined);
      }
    }
  }

  async connect(): Promise<void> {
    try {
      await this.admin.connect();
    } catch (e) {
      throw translateError(e, 'connect admin');
    }
  }

  async disconnect(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
  }

  async listTopics(): Promise<string[]> {
    try {
      return await this.admin.listTopics();
    } catch (e) {
      throw translateError(e, 'listTopics');
    }
  }

  async createTopics(topics: readonly TopicSpec[]): Promise<string[]> {
    if (topics.length === 0) return [];
    const existing = new Set(await this.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return [];
    let created: boolean;
    const defaultRf = missing.some((t) => t.replicationFactor === undefined) ? await this.defaultReplicationFactor() : 1;
    try {
      created = await this.admin.createTopics({
        // Waited for below: kafkajs' own wait fails when it asks a broker that has not seen the
        // new topic yet (UNKNOWN_TOPIC_OR_PARTITION), which a multi-broker cluster does routinely.
        waitForLeaders: false,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor ?? defaultRf,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
      await this.waitForLeaders(missing.map((t) => t.topic));
    } catch (e) {
      throw translateError(e, 'createTopics', missing.length === 1 ? { topic: missing[0]!.topic } : {});
    }
    // kafkajs answers false when every failure was TOPIC_ALREADY_EXISTS: we lost a race with another
    // creator, and cannot tell which of ours (if any) went through, so report none as created.
    if (!created) return [];
    return missing.map((t) => t.topic);
  }

  /** Polls metadata until every partition of `topics` has a leader (≤ 30 s), tolerating brokers that lag behind. */
  private async waitForLeaders(topics: readonly string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const meta = await this.admin.fetchTopicMetadata({ topics: [...topics] });
        if (meta.topics.length === topics.length && meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch (e) {
        const type = protocolType(e);
        if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw e;
        if (Date.now() > deadline) throw e;
      }
      if (Date.now() > deadline) throw new TributaryError(`topics ${topics.join(', ')} have no leader after 30 s`, { code: 'KAFKA', retriable: true });
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private defaultRf: Promise<number> | undefined;

  /**
   * The cluster's `default.replication.factor` (kafkajs' CreateTopics predates "-1 = broker
   * default"). Without the DESCRIBE_CONFIGS ACL on the cluster: the number of brokers, at most 3.
   */
  private defaultReplicationFactor(): Promise<number> {
    this.defaultRf ??= (async () => {
      const cluster = await this.admin.describeCluster();
      try {
        const configs = await this.admin.describeConfigs({
          includeSynonyms: false,
          resources: [
            {
              type: ConfigResourceTypes.BROKER,
              name: String(cluster.controller ?? cluster.brokers[0]?.nodeId ?? 1),
              configNames: ['default.replication.factor'],
            },
          ],
        });
        const value = Number(configs.resources[0]?.configEntries.find((e) => e.configName === 'default.replication.factor')?.configValue);
        if (Number.isInteger(value) && value > 0) return value;
      } catch {
        // not authorized to read broker configs: fall through
      }
      return Math.max(1, Math.min(3, cluster.brokers.length));
    })().catch((e: unknown) => {
      this.defaultRf = undefined;
      throw translateError(e, 'describeCluster');
    });
    return this.defaultRf;
  }

  /**
   * Throws TOPIC_NOT_FOUND for the first of `topics` that is not listed, after listing again for a
   * few seconds: on a cluster, a broker that has not applied a just-created topic does not list it.
   */
  private async requireListed(topics: readonly string[]): Promise<void> {
    const deadline = Date.now() + LISTED_WITHIN_MS;
    for (;;) {
      const existing = new Set(await this.listTopics());
      const missing = topics.find((t) => !existing.has(t));
      if (missing === undefined) return;
      if (Date.now() > deadline) throw new TributaryError(`topic ${missing} does not exist`, { code: 'TOPIC_NOT_FOUND', context: { topic: missing } });
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async describeTopics(topics: readonly string[], options: { readonly configs?: boolean } = {}): Promise<TopicDescription[]> {
    if (topics.length === 0) return [];
    await this.requireListed(topics);
    try {
      // Listed topics may be unknown for a moment to a broker that lags behind the controller.
      const meta = await retryUnknownTopic(() => this.admin.fetchTopicMetadata({ topics: [...topics] }), 10_000);
      const configs =
        options.configs === false
          ? { resources: [] }
          : await this.admin
              .describeConfigs({
                includeSynonyms: false,
                resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
              })
              .catch((e: unknown) => {
                // A principal without DESCRIBE_CONFIGS on these topics: callers fall back to the
                // broker defaults (the documented ACLs of an application do not include it).
                if ((e as { type?: string }).type === 'TOPIC_AUTHORIZATION_FAILED') return { resources: [] };
                throw e;
              });
      const configsByTopic = new Map<string, Record<string, string>>();
      for (const r of configs.resources) {
        const c: Record<string, string> = {};
        for (const entry of r.configEntries) if (entry.configValue !== null && entry.configValue !== undefined) c[entry.configName] = entry.configValue;
        configsByTopic.set(r.resourceName, c);
      }
      return topics.map((topic) => {
        const m = meta.topics.find((t) => t.name === topic);
        if (!m) throw new TributaryError(`topic ${topic} does not exist`, { code: 'TOPIC_NOT_FOUND', context: { topic } });
        return { topic, partitions: m.partitions.length, configs: configsByTopic.get(topic) ?? {} };
      });
    } catch (e) {
      const error = translateError(e, 'describeTopics', topics.length === 1 ? { topic: topics[0]! } : {});
      // Every topic was listed: metadata that still says unknown comes from a broker that has not
      // caught up (a node restarting on a cluster), an outage to retry rather than a missing topic.
      if (protocolType(e) === 'UNKNOWN_TOPIC_OR_PARTITION')
        throw new TributaryError(error.message, { code: 'KAFKA', retriable: true, cause: e, context: error.context });
      throw error;
    }
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return;
    const existing = new Set(await this.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length === 0) return;
    try {
      await this.admin.deleteTopics({ topics: present });
    } catch (e) {
      if (protocolType(e) === 'UNKNOWN_TOPIC_OR_PARTITION') return;
      throw translateError(e, 'deleteTopics');
    }
  }

  async fetchTopicOffsets(topic: string, options: FetchOffsetsOptions = {}): Promise<PartitionOffsets[]> {
    const existing = new Set(await this.listTopics());
    if (!existing.has(topic)) throw new TributaryError(`topic ${topic} does not exist`, { code: 'TOPIC_NOT_FOUND', context: { topic } });
    try {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      const out = offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })).sort((a, b) => a.partition - b.partition);
      if (options.isolation === 'read_committed') return out;
      const hw = await this.highWatermarks(
        topic,
        out.map((o) => o.partition),
      );
      return hw === undefined ? out : out.map((o) => ({ ...o, high: hw.get(o.partition) ?? o.high }));
    } catch (e) {
      throw translateError(e, 'fetchTopicOffsets', { topic });
    }
  }

  async fetchCommittedOffsets(groupId: string, topics: readonly string[]): Promise<TopicPartitionOffset[]> {
    if (topics.length === 0) return [];
    try {
      // A group coordinator that is moving or still loading its partition answers for a moment
      // with a coordinator error; kafkajs' admin does not retry it (Java's admin client does).
      const res = await retryCoordinator(() => this.admin.fetchOffsets({ groupId, topics: [...topics] }), COORDINATOR_WITHIN_MS);
      const out: TopicPartitionOffset[] = [];
      for (const t of res) {
        for (const p of t.partitions) {
          const offset = Number(p.offset);
          if (offset >= 0) out.push({ topic: t.topic, partition: p.partition, offset });
        }
      }
      return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    } catch (e) {
      throw translateError(e, 'fetchCommittedOffsets', { groupId });
    }
  }

  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    if (groupIds.length === 0) return;
    try {
      await this.admin.deleteGroups([...groupIds]);
    } catch (e) {
      const failures = (e as { groups?: { groupId: string; error?: { type?: string } }[] }).groups ?? [];
      const real = failures.filter((g) => g.error?.type !== 'GROUP_ID_NOT_FOUND');
      if (failures.length > 0 && real.length === 0) return;
      throw translateError(e, 'deleteGroups', real.length === 1 ? { groupId: real[0]!.groupId } : {});
    }
  }

  /** Commits offsets for a group that has no active members (used by manually assigned consumers). */
  async setOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push({ partition: o.partition, offset: String(o.offset) });
    }
    try {
      for (const [topic, partitions] of byTopic) await this.admin.setOffsets({ groupId, topic, partitions });
    } catch (e) {
      throw translateError(e, 'commitOffsets', { groupId });
    }
  }
}

/** How long a topic that is not listed is looked for again before it counts as missing. */
const LISTED_WITHIN_MS = 3_000;

const COORDINATOR_WITHIN_MS = 10_000;

/** Errors of a group coordinator that is moving, loading or not elected yet. */
const COORDINATOR_MOVING = new Set(['NOT_COORDINATOR_FOR_GROUP', 'GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE']);

/** Retries `fn` while it fails with a coordinator error (`COORDINATOR_MOVING`), for up to `withinMs`. */
export async function retryCoordinator<T>(fn: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      const type = protocolType(e);
      if (type === undefined || !COORDINATOR_MOVING.has(type) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Retries `fn` while it fails with UNKNOWN_TOPIC_OR_PARTITION, for up to `withinMs`. */
export async function retryUnknownTopic<T>(fn: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (protocolType(e) !== 'UNKNOWN_TOPIC_OR_PARTITION' || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
