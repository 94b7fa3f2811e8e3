/**
 * What the stream thread does with an error that escapes an iteration:
 *
 * - `migrated`: a task's producer was fenced (another instance owns it now) → close every task
 *   dirty (abort, wipe state under exactly-once), rejoin the group with a fresh consumer;
 * - `retriable`: the broker was unreachable, a request timed out, a commit's outcome is unknown
 *   → the same, after a backoff; the new owner (possibly us) restores state from the changelog
 *   and seeks to the committed offsets, so nothing is half-committed;
 * - `fatal`: anything else (processing failure with the `fail` handler, bad configuration,
 *   corrupted state) → the runtime stops with the error (the application's uncaught-exception
 *   handler decides what happens next).
 *
 * Recovery attempts back off exponentially (`retryBackoffMs` doubling up to `retryBackoffMaxMs`)
 * and give up after `recoveryTimeoutMs` without a successful commit or fetch.
 */
import { TaskMigratedError, TributaryError } from '../errors.js';

export type FailureKind = 'migrated' | 'retriable' | 'fatal';

const RETRIABLE_CODES = new Set(['KAFKA_CONNECTION', 'TRANSACTION']);

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof TaskMigratedError) return 'migrated';
  if (error instanceof TributaryError) {
    if (error.code === 'TASK_MIGRATED' || error.code === 'PRODUCER_FENCED') return 'migrated';
    if (error.retriable || RETRIABLE_CODES.has(error.code)) return 'retriable';
    // A failed rebalance callback wraps the adapter's error.
    if (error.cause !== undefined && error.cause !== error) {
      const inner = classifyFailure(error.cause);
      if (inner !== 'fatal') return inner;
    }
  }
  return 'fatal';
}

/** Exponential backoff with a deadline measured from the first failure of a streak. */
export class RecoveryBackoff {
  private failures = 0;
  private streakStart = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly timeoutMs: number,
  ) {}

  get attempts(): number {
    return this.failures;
  }

  /** Records a failure at `now`; returns the delay before the next attempt, or null once the streak outlasted the timeout. */
  fail(now: number): number | null {
    if (this.failures === 0) this.streakStart = now;
    this.failures++;
    if (now - this.streakStart > this.timeoutMs) return null;
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures - 1, 20));
  }

  /** Progress was made (a commit or a fetch succeeded): the next failure starts a new streak. */
  succeed(): void {
    this.failures = 0;
  }
}
