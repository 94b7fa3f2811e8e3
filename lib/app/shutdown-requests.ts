/**
 * SHUTDOWN_APPLICATION across processes. Kafka Streams carries the request in the group
 * assignment's error code; kafkajs does not hand the assignment's user data to followers, so
 * tributary uses a one-partition internal topic `<applicationId>-shutdown-requests`: the client
 * whose handler answered SHUTDOWN_APPLICATION appends a record, and every running instance, which
 * remembered the topic's end offset when it started, sees the end move and shuts down.
 */
import { TributaryError } from '../errors.js';
import type { Admin, KafkaClient } from '../kafka/types.js';
import { outgoingBatch } from '../kafka/columns.js';

export class ShutdownRequests {
  readonly topic: string;
  private baseline = -1;

  constructor(
    private readonly client: KafkaClient,
    applicationId: string,
    private readonly replicationFactor: number | undefined,
  ) {
    this.topic = `${applicationId}-shutdown-requests`;
  }

  /** Creates the topic if needed and remembers its end (requests older than this instance are ignored). */
  async start(admin: Admin): Promise<void> {
    await admin.createTopics([
      {
        topic: this.topic,
        numPartitions: 1,
        ...(this.replicationFactor !== undefined ? { replicationFactor: this.replicationFactor } : {}),
        configs: { 'cleanup.policy': 'delete', 'retention.ms': String(24 * 3600_000) },
      },
    ]);
    // Just created (by us, or by another instance that won the race): a broker of a cluster that
    // has not applied the new topic yet answers that it does not exist, for a moment.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        this.baseline = await this.end(admin);
        return;
      } catch (error) {
        if (!(error instanceof TributaryError && error.code === 'TOPIC_NOT_FOUND') || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** True once another instance (or this one) asked the application to shut down. */
  async requested(admin: Admin): Promise<boolean> {
    if (this.baseline < 0) return false;
    return (await this.end(admin)) > this.baseline;
  }

  async request(reason: string): Promise<void> {
    const producer = this.client.producer({ idempotent: true });
    await producer.connect();
    try {
      await producer.send(outgoingBatch([{ topic: this.topic, partition: 0, key: null, value: Buffer.from(reason) }]));
    } finally {
      await producer.disconnect();
    }
  }

  private async end(admin: Admin): Promise<number> {
    const offsets = await admin.fetchTopicOffsets(this.topic);
    return offsets.reduce((n, o) => n + o.high, 0);
  }
}
