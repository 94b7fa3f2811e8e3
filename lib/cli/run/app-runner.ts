/**
 * One running application for the CLI (`tributary run`, `tributary demo`): a `TributaryApp` (zod-
 * validated config, uncaught-exception handling with the poison-record guard, broker-outage retry
 * with backoff, graceful close) plus the sampling the progress line needs.
 *
 *   start ─▶ app.start() (topics, group, tasks) ─▶ processing in the background
 *   stats() ─ app.progress(): totals over every task incarnation, commit latency since the
 *             previous stats() call, lowest task stream time
 *   lag()   ─ app.lag(): high watermarks − committed offsets over external source topics
 *   close() ─ app.close(): last commit, tasks closed clean, checkpoints written
 */
import type { Admin } from '../../kafka/types.js';
import { TributaryApp, type AppState, type TributaryAppConfig } from '../../app/index.js';
import { groupLag } from '../../app/lag.js';
import { TributaryError } from '../../errors.js';
import type { Topology } from '../../topology/topology.js';

export { groupLag };

export interface AppRunnerOptions {
  readonly topology: Topology;
  readonly config: TributaryAppConfig;
  readonly onStateChange?: (next: AppState, previous: AppState) => void;
}

export interface AppStats {
  readonly applicationId: string;
  /** The app's state in lower case (`running`, `rebalancing`, `pending_shutdown`, ...). */
  readonly state: string;
  readonly tasks: number;
  readonly recordsIn: number;
  readonly processed: number;
  readonly recordsOut: number;
  readonly deadLettered: number;
  /** Records discarded by an operator: late for a window or a watermark, or without a key. */
  readonly dropped: number;
  readonly commits: number;
  /** Mean and max duration of the commits since the previous `stats()` call (ms); undefined without commits. */
  readonly commitLatencyMs: { readonly mean: number; readonly max: number } | undefined;
  /** Lowest event time (stream time) over tasks that have seen a record; undefined before the first. */
  readonly eventTimeMs: number | undefined;
}

export class AppRunner {
  readonly app: TributaryApp;
  readonly applicationId: string;
  private sampledAt = performance.now();

  /** Validates the config (a `ConfigError` naming the key) and builds the topology; connects nothing. */
  constructor(options: AppRunnerOptions) {
    this.app = new TributaryApp(options.topology, options.config);
    this.applicationId = this.app.applicationId;
    if (options.onStateChange) this.app.onStateChange(options.onStateChange);
  }

  /** Source topics the application consumes (user topics and its repartition topics). */
  get sourceTopics(): readonly string[] {
    return this.app.sourceTopics;
  }

  /** Source topics other than the application's own repartition topics (what upstream producers write). */
  get userSourceTopics(): readonly string[] {
    return this.app.userSourceTopics;
  }

  /** Source topics written by someone else (see `TributaryApp.externalSourceTopics`). */
  get externalSourceTopics(): readonly string[] {
    return this.app.externalSourceTopics;
  }

  get deadLetterTopic(): string {
    return this.app.deadLetterTopic;
  }

  async start(): Promise<void> {
    this.sampledAt = performance.now();
    await this.app.start();
  }

  /** Resolves when the app stopped cleanly; rejects with the error that stopped it (state ERROR). */
  async done(): Promise<void> {
    if ((await this.app.done()) === 'ERROR') throw this.app.error ?? new TributaryError(`${this.applicationId} stopped with an error`, { code: 'PROCESSING' });
  }

  get failed(): boolean {
    return this.app.state === 'ERROR';
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  stats(): AppStats {
    const now = performance.now();
    const p = this.app.progress({ windowMs: now - this.sampledAt });
    this.sampledAt = now;
    const latency = p.commitLatencyMs;
    return {
      applicationId: this.applicationId,
      state: p.state.toLowerCase(),
      tasks: p.tasks.length,
      recordsIn: p.recordsIn,
      processed: p.processed,
      recordsOut: p.recordsOut,
      deadLettered: p.deadLettered,
      dropped: p.late,
      commits: p.commits,
      commitLatencyMs: latency === undefined ? undefined : { mean: latency.meanMs, max: latency.maxMs },
      eventTimeMs: p.eventTimeMs,
    };
  }

  /** Records not yet committed by the application's group over its external source topics. */
  async lag(admin?: Admin): Promise<number> {
    return admin === undefined ? this.app.lag() : groupLag(admin, this.applicationId, this.externalSourceTopics);
  }
}
