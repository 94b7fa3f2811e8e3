/**
 * The one error root of tributary. Every error the library throws is a `TributaryError` with a
 * machine-readable `code`, whether retrying can help (`retriable`), the underlying `cause`, and the
 * context that locates it (task, topic, partition, store). Adapters translate vendor errors into
 * these at their edge; errors the runtime acts on have types of their own.
 */
import type { OutgoingRecord } from './kafka/types.js';

/** Where an error happened: task id, topic, partition, offset, store, transactional id, group id, or any other named value. */
export interface ErrorContext {
  readonly taskId?: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly store?: string;
  readonly transactionalId?: string;
  readonly groupId?: string;
  readonly [key: string]: unknown;
}

/** What kind of failure a `TributaryError` is (`CONFIG`, `KAFKA_CONNECTION`, `PRODUCER_FENCED`, `TASK_MIGRATED`, `SERDE`, ...). */
export type ErrorCode =
  | 'CONFIG'
  | 'KAFKA'
  | 'KAFKA_CONNECTION'
  | 'KAFKA_AUTHENTICATION'
  | 'KAFKA_AUTHORIZATION'
  | 'TOPIC_NOT_FOUND'
  | 'TOPIC_EXISTS'
  | 'PRODUCER_FENCED'
  | 'TASK_MIGRATED'
  | 'TRANSACTION'
  | 'SERDE'
  | 'RECORD_TOO_LARGE'
  | 'STATE'
  | 'STATE_LOCKED'
  | 'STORE_NOT_AVAILABLE'
  | 'TOPOLOGY'
  | 'PROCESSING'
  | 'DELTA'
  | 'DELTA_CONFLICT'
  | 'SINK_BACKPRESSURE'
  | 'ILLEGAL_STATE'
  | 'NOT_IMPLEMENTED';

export interface TributaryErrorOptions {
  readonly code?: ErrorCode;
  readonly retriable?: boolean;
  readonly cause?: unknown;
  readonly context?: ErrorContext;
}

/**
 * The root of every error tributary throws: a `code`, whether it is `retriable`, the `cause`, and
 * the context that matters (task, topic, partition, store).
 */
export class TributaryError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly context: ErrorContext;

  constructor(message: string, options: TributaryErrorOptions = {}) {
    super(withContext(message, options.context), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'ILLEGAL_STATE';
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

/** Bad configuration or misuse detected before processing starts. The message says what to change. */
export class ConfigError extends TributaryError {
  constructor(message: string, options: Omit<TributaryErrorOptions, 'code'> = {}) {
    super(message, { ...options, code: 'CONFIG' });
  }
}

/** Another producer with the same transactional id took over: this instance is a zombie. */
export class ProducerFencedError extends TributaryError {
  constructor(message: string, options: Omit<TributaryErrorOptions, 'code'> = {}) {
    super(message, { ...options, code: 'PRODUCER_FENCED' });
  }
}

/** The task no longer belongs to this instance; close it dirty and rejoin. */
export class TaskMigratedError extends TributaryError {
  constructor(message: string, options: Omit<TributaryErrorOptions, 'code'> = {}) {
    super(message, { ...options, code: 'TASK_MIGRATED' });
  }
}

/**
 * A processor or sink refuses a record for its content (e.g. it does not fit a table schema). A
 * data error like a failed deserialization: the runtime hands it to the deserialization handler
 * (default: dead-letter the original record with this message as the reason), not to the
 * processing handler.
 */
export class RecordRejectedError extends TributaryError {
  constructor(message: string, options: Omit<TributaryErrorOptions, 'code' | 'retriable'> = {}) {
    super(message, { ...options, code: 'SERDE' });
  }
}

/** A sink cannot accept more data right now; the runtime pauses and retries later. */
export class SinkBackpressureError extends TributaryError {
  constructor(message: string, options: Omit<TributaryErrorOptions, 'code' | 'retriable'> = {}) {
    super(message, { ...options, code: 'SINK_BACKPRESSURE', retriable: true });
  }
}

function withContext(message: string, context: ErrorContext | undefined): string {
  if (!context) return message;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(context)) {
    if (v !== undefined) parts.push(`${k}=${String(v)}`);
  }
  return parts.length ? `${message} [${parts.join(', ')}]` : message;
}

/**
 * A record cannot be produced: it is larger than the topic's `max.message.bytes` (or the
 * broker's limit). The production exception handler decides (dead-letter a truncated copy,
 * skip, or fail).
 */
export class RecordTooLargeError extends TributaryError {
  /** A copy of the record that could not be produced (when known). */
  readonly record: OutgoingRecord | undefined;
  /** `changelog`: a store's changelog record (never skipped: the store could not be restored). */
  readonly kind: 'output' | 'changelog';

  constructor(
    message: string,
    readonly size: number,
    readonly limit: number,
    options: Omit<TributaryErrorOptions, 'code' | 'retriable'> & { readonly record?: OutgoingRecord; readonly kind?: 'output' | 'changelog' } = {},
  ) {
    const { record, kind, ...rest } = options;
    super(message, { ...rest, code: 'RECORD_TOO_LARGE' });
    this.record = record;
    this.kind = kind ?? 'output';
  }
}
