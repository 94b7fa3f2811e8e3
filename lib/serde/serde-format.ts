/**
 * Which serdes write the same bytes for the same value, whatever the topic: the runtime may then
 * pass a record's input bytes through to an internal topic instead of serializing the (unchanged)
 * decoded value again. A serde says so with its `format` property (`Serde.format`): the built-in
 * serdes set it; a user serde without it is never assumed to be (its bytes may depend on the
 * topic, as with a schema registry).
 */
import type { Serde } from './types.js';

/**
 * True when bytes written by `a` decode with `b` to the value `a` would decode them to, and `b`
 * would write that value as `a` does: both declare one format.
 */
export function sameFormat(a: Serde<unknown> | undefined, b: Serde<unknown> | undefined): boolean {
  const f = a?.format;
  return f !== undefined && f === b?.format;
}
