/**
 * Errors raised on the per-record path, tagged with the node where they happened so the task can
 * hand them to the right handler: `SourceDeserializationError` (a source could not deserialize a
 * key or a lazily read value) goes to the deserialization handler, anything else thrown by a
 * processor is wrapped once in `NodeFailure` and goes to the processing handler.
 */
import { TributaryError } from '../errors.js';

export class SourceDeserializationError extends TributaryError {
  constructor(
    readonly sourceName: string,
    what: 'key' | 'value',
    topic: string,
    cause: unknown,
  ) {
    super(`Source ${sourceName} could not deserialize the record ${what} from ${topic}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      code: 'SERDE',
      cause,
      context: { topic, processor: sourceName },
    });
  }
}

/** A processor (or sink) threw; `cause` is what it threw. */
export class NodeFailure extends Error {
  constructor(
    readonly nodeName: string,
    override readonly cause: unknown,
  ) {
    super(`${nodeName}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Tags an error with the node it came from, unless an inner node already did. */
export function tagged(error: unknown, nodeName: string): Error {
  if (error instanceof NodeFailure || error instanceof SourceDeserializationError) return error;
  return new NodeFailure(nodeName, error);
}
