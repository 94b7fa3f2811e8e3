import { TributaryError } from '../errors.js';

/** A `TributaryError` with code SERDE; the runtime's deserialization handler acts on these. */
export function serdeError(message: string, topic: string | undefined, cause?: unknown, extra: Record<string, unknown> = {}): TributaryError {
  const context = topic === undefined ? { ...extra } : { topic, ...extra };
  return new TributaryError(message, cause === undefined ? { code: 'SERDE', context } : { code: 'SERDE', cause, context });
}
