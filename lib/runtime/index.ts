/**
 * The runtime's door for the rest of tributary (the application object, the CLI, the test
 * driver): the stream thread, its configuration, failure handlers, metrics and clocks. Tasks,
 * queues and nodes stay internal.
 */
export { StreamsRuntime, type StreamsRuntimeOptions, type StartOptions, type RuntimeState, type StateListener } from './streams-runtime.js';
export { normalizeConfig, type StreamsConfig, type NormalizedConfig, type ProcessingGuarantee } from './config.js';
export {
  ErrorHandlers,
  deadLetterRecord,
  DLQ_HEADER_PREFIX,
  type ErrorResponse,
  type ErrorHandlerContext,
  type DeserializationExceptionHandler,
  type ProcessingExceptionHandler,
} from './error-handlers.js';
export { sumMetrics, type TaskMetricsSnapshot } from './task-metrics.js';
export { CommitLatency, type CommitLatencySnapshot, type CommitLatencyWindow } from './commit-latency.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { formatTaskId, parseTaskId, type TaskId } from './task-id.js';
