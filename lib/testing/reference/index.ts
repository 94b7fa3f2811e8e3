/** Reference models of windowed aggregations: plain functions over the whole input. */
export { timeWindowModel, windowStarts, streamTimes, watermarkTimes } from './time-windows.js';
export type { ModelEvent, WindowResult, TimeWindowSpec, TimeWindowModel } from './time-windows.js';
export { slidingWindowModel } from './sliding-windows.js';
export { sessionWindowModel, sessionWindowRun } from './session-windows.js';
export type { SessionWindowSpec, SessionWindowModel } from './session-windows.js';
