/**
 * Which serdes write the same bytes for the same value, whatever the topic: the runtime may then
 * pass a record's input bytes through to an internal topic instead of serializing the (unchanged)
 * decoded value again. Built-in serdes only; a user serde is never assumed to be (its bytes may
 * depend on the topic, as with a schema registry).
 */
import { bytesSerde, doubleSerde, int32Serde, int64Serde, stringSerde } from './primitive-serdes.js';

/** Format of each JSON serde instance (`Serdes.json()` makes a new one per call). */
const formats = new WeakMap<object, string>();
for (const [serde, format] of [
  [stringSerde, 'string'],
  [bytesSerde, 'bytes'],
  [int32Serde, 'int32'],
  [int64Serde, 'int64'],
  [doubleSerde, 'double'],
] as const) {
  formats.set(serde, format);
}

/** Marks `serde` as writing `format`: equal values give equal bytes, independent of the topic. */
export function withFormat<S extends object>(serde: S, format: string): S {
  formats.set(serde, format);
  return serde;
}

/**
 * True when bytes written by `a` decode with `b` to the value `a` would decode them to, and `b`
 * would write that value as `a` does: both are built-in serdes of one format.
 */
export function sameFormat(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  const f = formats.get(a);
  return f !== undefined && f === formats.get(b);
}
