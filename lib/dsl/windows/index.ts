export { TimeWindows } from './time-windows.js';
export { SlidingWindows } from './sliding-windows.js';
export { SessionWindows } from './session-windows.js';
export { EmitStrategy } from './emit-strategy.js';
export type { DurationInput } from './durations.js';
