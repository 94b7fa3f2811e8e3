/**
 * The state one `EmbeddedKafka` shares with every admin, producer and consumer it makes: topics,
 * the transaction and group coordinators, background timers, and the open/closed flag.
 */
import { TributaryError } from '../../errors.js';
import type { AssignorName } from './assignors.js';
import { GroupCoordinator } from './group-coordinator.js';
import { TimerSet } from './signal.js';
import { TopicRegistry } from './topics.js';
import { TransactionCoordinator } from './transaction-coordinator.js';

export interface BrokerSettings {
  readonly assignor: AssignorName;
  readonly brokerCount: number;
  readonly topicDefaults: Readonly<Record<string, string>>;
  readonly enforceRetention: boolean;
  readonly maxPollRecordsPerPartition: number;
  readonly maxBytesPerPoll: number;
  readonly now: () => number;
}

export class Broker {
  readonly timers = new TimerSet();
  readonly topics: TopicRegistry;
  readonly groups: GroupCoordinator;
  readonly transactions: TransactionCoordinator;
  private closed = false;

  constructor(readonly settings: BrokerSettings) {
    this.topics = new TopicRegistry(settings.brokerCount, settings.topicDefaults, (topic) => this.onTopicChange(topic));
    this.groups = new GroupCoordinator(this.topics, this.timers, settings.assignor, settings.now);
    this.transactions = new TransactionCoordinator(this.timers, this.groups);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Throws `KAFKA_CONNECTION` once the broker is closed. */
  ensureOpen(): void {
    if (this.closed) {
      throw new TributaryError('The embedded Kafka broker is closed', { code: 'KAFKA_CONNECTION' });
    }
  }

  close(): void {
    this.closed = true;
    this.timers.clear();
  }

  private onTopicChange(topic: string): void {
    // The registry calls back during construction of nothing else; groups exist by now.
    this.groups.onTopicChange(topic);
  }
}

/** Error for a call on a client object that is not connected (or was disconnected). */
export function notConnected(what: string): TributaryError {
  return new TributaryError(`The embedded ${what} is not connected: call connect() first`, { code: 'KAFKA_CONNECTION' });
}

export function illegalState(message: string): TributaryError {
  return new TributaryError(message, { code: 'ILLEGAL_STATE' });
}
