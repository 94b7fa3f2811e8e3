/**
 * Routes a record that failed on the per-record path to the configured handler: failures of a
 * source (key/value deserialization, invalid timestamp), an `InvalidTimestampError` a processor
 * forwarded and a `RecordRejectedError` (a sink refusing a record for its content) to the
 * deserialization handler, anything else a processor or
 * sink threw to the processing handler, and a `RecordTooLargeError` (an output its topic would
 * refuse) to the production handler. The answer is applied here: dead-letter the
 * original bytes, skip and count, or throw a `TributaryError` (SERDE / PROCESSING) naming the
 * node and the record.
 */
import { RecordRejectedError, RecordTooLargeError, TributaryError } from '../errors.js';
import { InvalidTimestampError } from '../time/timestamp-extractors.js';
import { isValidTimestamp } from './timestamps.js';
import type { IncomingRecord } from '../kafka/types.js';
import type { NormalizedConfig } from './config.js';
import { deadLetterRecord, errorMessage, productionDeadLetter, type ErrorHandlerContext, type ErrorResponse } from './error-handlers.js';
import { NodeFailure, SourceDeserializationError } from '../topology/node-failure.js';
import type { RecordCollector } from './record-collector.js';
import type { TaskMetrics } from './task-metrics.js';

/** A record refused before it reached its source node (invalid timestamp, extractor failure). */
export class RejectedRecord {
  constructor(
    readonly cause: unknown,
    readonly processorName: string,
  ) {}
}

export interface FailureTarget {
  readonly taskId: string;
  readonly config: NormalizedConfig;
  readonly collector: RecordCollector;
  readonly metrics: TaskMetrics;
  /** Name of the source node reading `topic` (for errors that carry no node). */
  sourceName(topic: string): string;
}

export function routeFailure(target: FailureTarget, error: unknown, raw: IncomingRecord, timestamp: number): void {
  let processorName: string;
  let cause: unknown;
  let deserialization: boolean;
  if (error instanceof RejectedRecord) {
    processorName = error.processorName;
    cause = error.cause;
    deserialization = true;
  } else if (error instanceof SourceDeserializationError) {
    processorName = error.sourceName;
    cause = error;
    deserialization = true;
  } else if (error instanceof NodeFailure) {
    processorName = error.nodeName;
    cause = error.cause;
    // A record refused for its content (a sink's schema) is a data error, like a bad payload.
    // An invalid timestamp a processor forwarded is a data error too.
    deserialization = cause instanceof RecordRejectedError || cause instanceof InvalidTimestampError;
  } else {
    processorName = target.sourceName(raw.topic);
    cause = error;
    deserialization = false;
  }
  const context: ErrorHandlerContext = {
    taskId: target.taskId,
    topic: raw.topic,
    partition: raw.partition,
    offset: raw.offset,
    processorName,
    key: raw.key,
    value: raw.value,
    // A refused timestamp is not copied (a broker may refuse it too); the reason header names it.
    timestamp: isValidTimestamp(raw.timestamp) ? raw.timestamp : Math.max(timestamp, 0),
    headers: raw.headers,
  };
  const config = target.config;
  if (cause instanceof RecordTooLargeError) {
    handleProductionFailure(target, context, cause);
    return;
  }
  let response: ErrorResponse;
  try {
    response = deserialization ? config.deserializationExceptionHandler(context, cause) : config.processingExceptionHandler(context, cause);
  } catch (handlerError) {
    response = 'fail';
    cause = handlerError;
  }
  if (response === 'dead-letter') {
    target.collector.deadLetter(deadLetterRecord(config.deadLetterTopic, context, cause));
    target.metrics.noteDeadLetter(cause instanceof RecordRejectedError ? 'rejected' : deserialization ? 'deserialization' : 'processing', errorMessage(cause));
  } else if (response === 'continue') {
    target.metrics.skipped++;
  } else {
    throw new TributaryError(`${deserialization ? 'Deserialization' : 'Processing'} failed at ${processorName}: ${errorMessage(cause)}`, {
      code: deserialization ? 'SERDE' : 'PROCESSING',
      cause,
      context: { taskId: target.taskId, topic: raw.topic, partition: raw.partition, offset: raw.offset, processor: processorName },
    });
  }
}

/**
 * A record that cannot be produced (too large for its topic): a changelog record fails the task
 * (the store could not be restored without it); an output goes to the production handler —
 * dead-letter a truncated copy, skip, or fail. `context` is the input record (none from a
 * punctuation: partition -1, and the dead letter is not counted as a failed input record).
 */
export function handleProductionFailure(target: FailureTarget, context: ErrorHandlerContext, error: RecordTooLargeError): void {
  const config = target.config;
  const where = { taskId: target.taskId, topic: context.topic, partition: context.partition, offset: context.offset, processor: context.processorName };
  if (error.kind === 'changelog') {
    throw new TributaryError(`Production failed at ${context.processorName}: ${error.message}`, { code: 'RECORD_TOO_LARGE', cause: error, context: where });
  }
  let response: ErrorResponse;
  let cause: unknown = error;
  try {
    response = config.productionExceptionHandler(context, error);
  } catch (handlerError) {
    response = 'fail';
    cause = handlerError;
  }
  const input = context.partition >= 0;
  if (response === 'dead-letter' && error.record !== undefined) {
    target.collector.deadLetter(productionDeadLetter(config.deadLetterTopic, context, error, error.record), input);
  } else if (response === 'continue' || response === 'dead-letter') {
    if (input) target.metrics.skipped++;
  } else {
    throw new TributaryError(`Production failed at ${context.processorName}: ${errorMessage(cause)}`, { code: 'RECORD_TOO_LARGE', cause, context: where });
  }
}
