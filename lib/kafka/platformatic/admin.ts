/**
 * `Admin` over the @platformatic/kafka admin client. Topic creation is idempotent (existing topics
 * are left alone and not reported as created); describe fails with `TOPIC_NOT_FOUND` naming the
 * topic; delete ignores missing topics. `fetchTopicOffsets` sends ListOffsets at the requested
 * isolation level (high watermark or last stable offset).
 */
import { Admin as PltAdmin, ConfigResourceTypes, FetchIsolationLevels, type AdminOptions } from '@platformatic/kafka';
import { TributaryError } from '../../errors.js';
import type { Admin, FetchOffsetsOptions, PartitionOffsets, TopicDescription, TopicPartitionOffset, TopicSpec } from '../types.js';
import { apiIdOf, hasApiId, translateError } from './errors.js';

const LISTED_WITHIN_MS = 3_000;
const EARLIEST = -2n;
const LATEST = -1n;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class PlatformaticAdmin implements Admin {
  private admin: PltAdmin | undefined;

  constructor(private readonly options: AdminOptions) {}

  private get a(): PltAdmin {
    this.admin ??= new PltAdmin(this.options);
    return this.admin;
  }

  async connect(): Promise<void> {
    try {
      await this.a.metadata({ topics: [] });
    } catch (e) {
      throw translateError(e, 'connect admin');
    }
  }

  async disconnect(): Promise<void> {
    const a = this.admin;
    this.admin = undefined;
    if (a) await a.close().catch(() => undefined);
  }

  async listTopics(): Promise<string[]> {
    try {
      return await this.a.listTopics();
    } catch (e) {
      throw translateError(e, 'listTopics');
    }
  }

  async createTopics(topics: readonly TopicSpec[]): Promise<string[]> {
    if (topics.length === 0) return [];
    const existing = new Set(await this.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return [];
    const created: string[] = [];
    // One request per topic: partitions, replicas and configs are per topic in the platformatic API.
    for (const t of missing) {
      try {
        await this.a.createTopics({
          topics: [t.topic],
          partitions: t.numPartitions,
          replicas: t.replicationFactor ?? -1,
          configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        });
        created.push(t.topic);
      } catch (e) {
        if (hasApiId(e, 'TOPIC_ALREADY_EXISTS')) continue;
        throw translateError(e, 'createTopics', { topic: t.topic });
      }
    }
    await this.waitForLeaders(created);
    return created;
  }

  private async waitForLeaders(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const meta = await this.a.metadata({ topics: [...topics], forceUpdate: true });
        if (topics.every((t) => (meta.topics.get(t)?.partitions.length ?? 0) > 0 && meta.topics.get(t)!.partitions.every((p) => p.leader >= 0))) return;
      } catch (e) {
        const type = apiIdOf(e);
        if ((type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') || Date.now() > deadline) throw translateError(e, 'createTopics');
      }
      if (Date.now() > deadline) throw new TributaryError(`topics ${topics.join(', ')} have no leader after 30 s`, { code: 'KAFKA', retriable: true });
      await sleep(100);
    }
  }

  private async requireListed(topics: readonly string[]): Promise<void> {
    const deadline = Date.now() + LISTED_WITHIN_MS;
    for (;;) {
      const existing = new Set(await this.listTopics());
      const missing = topics.find((t) => !existing.has(t));
      if (missing === undefined) return;
      if (Date.now() > deadline) throw new TributaryError(`topic ${missing} does not exist`, { code: 'TOPIC_NOT_FOUND', context: { topic: missing } });
      await sleep(250);
    }
  }

  async describeTopics(topics: readonly string[], options: { readonly configs?: boolean } = {}): Promise<TopicDescription[]> {
    if (topics.length === 0) return [];
    await this.requireListed(topics);
    try {
      const meta = await this.a.metadata({ topics: [...topics], forceUpdate: true });
      const configsByTopic = new Map<string, Record<string, string>>();
      if (options.configs !== false) {
        try {
          const described = await this.a.describeConfigs({
            resources: topics.map((name) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName: name, configurationKeys: null })),
            includeSynonyms: false,
          });
          for (const r of described) {
            const c: Record<string, string> = {};
            for (const entry of r.configs) if (entry.value !== null && entry.value !== undefined) c[entry.name] = entry.value;
            configsByTopic.set(r.resourceName, c);
          }
        } catch (e) {
          if (apiIdOf(e) !== 'TOPIC_AUTHORIZATION_FAILED') throw e;
        }
      }
      return topics.map((topic) => {
        const m = meta.topics.get(topic);
        if (!m) throw new TributaryError(`topic ${topic} does not exist`, { code: 'TOPIC_NOT_FOUND', context: { topic } });
        return { topic, partitions: m.partitionsCount, configs: configsByTopic.get(topic) ?? {} };
      });
    } catch (e) {
      throw translateError(e, 'describeTopics', topics.length === 1 ? { topic: topics[0]! } : {});
    }
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return;
    const existing = new Set(await this.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length === 0) return;
    try {
      await this.a.deleteTopics({ topics: present });
    } catch (e) {
      if (hasApiId(e, 'UNKNOWN_TOPIC_OR_PARTITION') || hasApiId(e, 'UNKNOWN_TOPIC_ID')) return;
      throw translateError(e, 'deleteTopics');
    }
  }

  async fetchTopicOffsets(topic: string, options: FetchOffsetsOptions = {}): Promise<PartitionOffsets[]> {
    const existing = new Set(await this.listTopics());
    if (!existing.has(topic)) throw new TributaryError(`topic ${topic} does not exist`, { code: 'TOPIC_NOT_FOUND', context: { topic } });
    try {
      const meta = await this.a.metadata({ topics: [topic] });
      const count = meta.topics.get(topic)?.partitionsCount ?? 0;
      const partitions = Array.from({ length: count }, (_, i) => i);
      const isolationLevel = options.isolation === 'read_committed' ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED;
      const at = async (timestamp: bigint): Promise<Map<number, number>> => {
        const listed = await this.a.listOffsets({
          topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
          isolationLevel,
        });
        const out = new Map<number, number>();
        for (const t of listed) for (const p of t.partitions) out.set(p.partitionIndex, Number(p.offset));
        return out;
      };
      const [low, high] = [await at(EARLIEST), await at(LATEST)];
      return partitions.map((partition) => ({ partition, low: low.get(partition) ?? 0, high: high.get(partition) ?? 0 }));
    } catch (e) {
      throw translateError(e, 'fetchTopicOffsets', { topic });
    }
  }

  async fetchCommittedOffsets(groupId: string, topics: readonly string[]): Promise<TopicPartitionOffset[]> {
    if (topics.length === 0) return [];
    try {
      const wanted = new Set(topics);
      const groups = await this.a.listConsumerGroupOffsets({ groups: [groupId], requireStable: true });
      const out: TopicPartitionOffset[] = [];
      for (const g of groups) {
        for (const t of g.topics) {
          if (!wanted.has(t.name)) continue;
          for (const p of t.partitions)
            if (p.committedOffset >= 0n) out.push({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset) });
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
      await this.a.deleteGroups({ groups: [...groupIds] });
    } catch (e) {
      if (hasApiId(e, 'GROUP_ID_NOT_FOUND')) return;
      throw translateError(e, 'deleteGroups');
    }
  }
}
