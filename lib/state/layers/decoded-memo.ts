/**
 * Decoded values kept next to cached bytes, handed out as copies indistinguishable from a fresh
 * `deserialize`: only values whose copy is exact and cheap are kept —
 * - primitives (returned as they are);
 * - flat plain objects: prototype `Object.prototype`, extensible, only own enumerable string-keyed
 *   data properties holding primitives (a shallow copy is a deep copy);
 * - flat arrays of primitives (no holes, no extra properties).
 * Anything else (nested objects, class instances, Buffers, accessors, frozen objects) is not
 * kept and is deserialized on every read, as before. A caller mutating what it got never
 * touches the kept copy, and the kept copy was never handed out.
 */

/** The value to keep for `value` (a private copy), or undefined when it cannot be kept. */
export function memoOf(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype || !Object.isExtensible(value)) return undefined;
    const keys = Reflect.ownKeys(value);
    if (keys.length !== value.length + 1) return undefined; // holes or extra properties ('length' is the +1)
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null) return undefined;
      if (v === undefined || !Object.prototype.hasOwnProperty.call(value, i)) return undefined;
    }
    const d = Object.getOwnPropertyDescriptors(value);
    for (let i = 0; i < value.length; i++) if (!('value' in d[i]!) || !d[i]!.enumerable || !d[i]!.writable || !d[i]!.configurable) return undefined;
    return value.slice();
  }
  if (Object.getPrototypeOf(value) !== Object.prototype || !Object.isExtensible(value)) return undefined;
  if (Object.getOwnPropertySymbols(value).length > 0) return undefined;
  const descriptors = Object.getOwnPropertyDescriptors(value);
  for (const k in descriptors) {
    const d = descriptors[k]!;
    if (!('value' in d) || !d.enumerable || !d.writable || !d.configurable) return undefined;
    const v: unknown = d.value;
    if (typeof v === 'object' && v !== null) return undefined;
  }
  return { ...(value as object) };
}

/** A fresh copy of a kept value (see `memoOf`). */
export function fromMemo(memo: unknown): unknown {
  if (typeof memo !== 'object' || memo === null) return memo;
  if (Array.isArray(memo)) return memo.slice();
  return { ...(memo as object) };
}
