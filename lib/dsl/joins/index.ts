/** Joins by key: window and option objects and the joiner types (the methods live on KStream and KTable). */
export { JoinWindows } from './join-windows.js';
export { Joined } from './joined.js';
export { StreamJoined } from './stream-joined.js';
export type { KeyMapper, ValueJoiner } from './value-joiner.js';
