/** Event time: timestamp extractors and the clocks windows close by. */
export { TimestampExtractors, InvalidTimestampError, parseEventTime } from './timestamp-extractors.js';
export type { TimestampParseOptions } from './timestamp-extractors.js';
export { EventTime } from './event-time.js';
export type { EventTimeMode } from './event-time.js';
