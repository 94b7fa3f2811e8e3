/** The admin client of the embedded broker: topics, offsets and groups, validated as a broker would. */
import type { Admin, FetchOffsetsOptions, PartitionOffsets, TopicDescription, TopicPartitionOffset, TopicSpec } from '../types.js';
import { notConnected, type Broker } from './broker.js';
import { networkTick } from './signal.js';

export class EmbeddedAdmin implements Admin {
  private connected = false;

  constructor(private readonly broker: Broker) {}

  async connect(): Promise<void> {
    this.broker.ensureOpen();
    await networkTick();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await networkTick();
  }

  async createTopics(topics: readonly TopicSpec[]): Promise<string[]> {
    await this.call();
    const created: string[] = [];
    for (const spec of topics) if (this.broker.topics.create(spec)) created.push(spec.topic);
    return created;
  }

  async describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    await this.call();
    for (const t of topics) this.broker.topics.require(t);
    return topics.map((t) => this.broker.topics.describe(t));
  }

  async listTopics(): Promise<string[]> {
    await this.call();
    return this.broker.topics.names();
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await this.call();
    for (const t of topics) {
      const topic = this.broker.topics.get(t);
      if (topic === undefined) continue;
      this.broker.transactions.forgetPartitions(topic.partitions);
      this.broker.topics.delete(t);
    }
  }

  async fetchTopicOffsets(topic: string, options: FetchOffsetsOptions = {}): Promise<PartitionOffsets[]> {
    await this.call();
    const committed = options.isolation === 'read_committed';
    return this.broker.topics.require(topic).partitions.map((log) => ({
      partition: log.partition,
      low: log.logStartOffset,
      high: committed ? log.lastStableOffset : log.highWatermark,
    }));
  }

  async fetchCommittedOffsets(groupId: string, topics: readonly string[]): Promise<TopicPartitionOffset[]> {
    await this.call();
    return this.broker.groups.fetchCommitted(groupId, topics);
  }

  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    await this.call();
    this.broker.groups.deleteGroups(groupIds);
  }

  private async call(): Promise<void> {
    this.broker.ensureOpen();
    if (!this.connected) throw notConnected('admin');
    await networkTick();
    this.broker.ensureOpen();
  }
}
