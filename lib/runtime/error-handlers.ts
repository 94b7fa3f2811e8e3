/**
 * Pluggable failure policy for records that cannot be deserialized (or carry an invalid
 * timestamp) and for exceptions thrown while processing. A handler answers per record:
 *
 * - `'fail'`: stop the task (the error surfaces from the runtime; nothing of the current commit
 *   interval is committed under exactly-once);
 * - `'dead-letter'`: write the original key/value bytes to the dead-letter topic with headers
 *   saying why (`tributary.error.*`), then continue;
 * - `'continue'`: skip the record, counting it.
 *
 * Safe defaults: deserialization errors go to the dead-letter topic, processing errors fail,
 * records too large to produce go to the dead-letter topic (truncated to fit). Kafka Streams'
 * default production handler fails instead; tributary treats a record the topic refuses as a data
 * error like an undeserializable one, so one record never stops the pipeline — choose `fail` for
 * the Kafka Streams behaviour.
 */
import { TributaryError } from '../errors.js';
import type { Headers, OutgoingRecord } from '../kafka/types.js';

/** What a failure handler decides: stop the task, write the record to the dead-letter topic, or skip it. */
export type ErrorResponse = 'fail' | 'dead-letter' | 'continue';

/** What a handler learns about the record that failed. */
export interface ErrorHandlerContext {
  readonly taskId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The source or processor node where it failed. */
  readonly processorName: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Decides about an input record whose key, value or timestamp cannot be read (Kafka Streams' `DeserializationExceptionHandler`). */
export type DeserializationExceptionHandler = (context: ErrorHandlerContext, error: unknown) => ErrorResponse;
/** Decides about an error a processor threw for a record (Kafka Streams' `ProcessingExceptionHandler`, KIP-1033). */
export type ProcessingExceptionHandler = (context: ErrorHandlerContext, error: unknown) => ErrorResponse;
/**
 * Decides about a record that cannot be produced (a `RecordTooLargeError`: larger than its topic's
 * `max.message.bytes`), like Kafka Streams' `ProductionExceptionHandler`. `context` is the input
 * record being processed (topic '' and partition -1 from a punctuation); the error carries the
 * output record. `'dead-letter'` writes a copy of the output record, truncated to fit, to the
 * dead-letter topic; `'continue'` skips it; `'fail'` stops the task. Changelog records are never
 * skipped: a store whose changelog lacks a write could not be restored, so the task fails.
 */
export type ProductionExceptionHandler = (context: ErrorHandlerContext, error: unknown) => ErrorResponse;

/** Ready-made handlers. */
export const ErrorHandlers = {
  deadLetter: (): ErrorResponse => 'dead-letter',
  fail: (): ErrorResponse => 'fail',
  logAndContinue: (context: ErrorHandlerContext, error: unknown): ErrorResponse => {
    console.warn(
      `tributary: skipping record ${context.topic}-${context.partition}@${context.offset} ` +
        `at ${context.processorName} (task ${context.taskId}): ${errorMessage(error)}`,
    );
    return 'continue';
  },
} as const;

export const DLQ_HEADER_PREFIX = 'tributary.error.';

/** The dead-letter record for a failed input record: original bytes, original headers plus `tributary.error.*`. */
export function deadLetterRecord(topic: string, context: ErrorHandlerContext, error: unknown): OutgoingRecord {
  const headers: Headers = { ...context.headers, ...errorHeaders(context, error) };
  return { topic, key: context.key, value: context.value, timestamp: context.timestamp, headers };
}

/** The `tributary.error.*` headers naming the error and the input record it came from. */
function errorHeaders(context: ErrorHandlerContext, error: unknown): Headers {
  return {
    [`${DLQ_HEADER_PREFIX}reason`]: Buffer.from(errorMessage(error)),
    [`${DLQ_HEADER_PREFIX}code`]: Buffer.from(errorCode(error)),
    [`${DLQ_HEADER_PREFIX}topic`]: Buffer.from(context.topic),
    [`${DLQ_HEADER_PREFIX}partition`]: Buffer.from(String(context.partition)),
    [`${DLQ_HEADER_PREFIX}offset`]: Buffer.from(String(context.offset)),
    [`${DLQ_HEADER_PREFIX}processor`]: Buffer.from(context.processorName),
    [`${DLQ_HEADER_PREFIX}task`]: Buffer.from(context.taskId),
  };
}

/**
 * The dead letter for an output record that could not be produced: the output's key, value and
 * headers, plus `tributary.error.*` naming the input record (topic/partition/offset; -1 from a
 * punctuation), the node, and `tributary.error.output-topic`. The collector truncates it to fit.
 */
export function productionDeadLetter(topic: string, context: ErrorHandlerContext, error: unknown, record: OutgoingRecord): OutgoingRecord {
  const headers: Headers = {
    ...(record.headers ?? {}),
    ...errorHeaders(context, error),
    [`${DLQ_HEADER_PREFIX}output-topic`]: Buffer.from(record.topic),
  };
  return { topic, key: record.key, value: record.value, timestamp: record.timestamp ?? context.timestamp, headers };
}

export function errorCode(error: unknown): string {
  if (error instanceof TributaryError) return error.code;
  return 'PROCESSING';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
