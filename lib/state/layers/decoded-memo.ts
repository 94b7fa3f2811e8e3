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

import { doubleSerde, int32Serde, int64Serde } from '../../serde/primitive-serdes.js';
import type { Serde } from '../../serde/types.js';
import { valueAndTimestampInner } from '../value-and-timestamp-serde.js';

/** Where decoded values are kept: the caching layer, on the entry holding the bytes (by identity). */
export interface DecodedHolder {
  /** The kept value for `value`, or undefined. */
  decodedOf(value: Buffer): unknown;
  /** Keeps `decoded` for `value` (if the entry holding it is at hand). */
  setDecoded(value: Buffer, decoded: unknown): void;
  /**
   * The entry holding `value` (as for `decodedOf`), for holders whose entries keep a timestamp
   * next to the decoded value: a `ValueAndTimestamp` is then kept as the two fields, with no
   * object of its own to reach.
   */
  decodedSlotOf?(value: Buffer): DecodedSlot | undefined;
}

/** A decoded value and its timestamp, kept on a cache entry. */
export interface DecodedSlot {
  decoded: unknown;
  decodedTs: number;
}

/** A kept `ValueAndTimestamp`: its timestamp and the kept form of its value. */
class TimestampedMemo {
  constructor(
    readonly timestamp: number,
    readonly value: unknown,
  ) {}
}

/**
 * Decodes a metered store's values through the kept values of the caching layer below (no
 * holder = plain `deserialize`). A `ValueAndTimestamp` serde keeps `[timestamp, kept value]` and
 * rebuilds the object per read. Numbers written through an exact number serde (int32, int64,
 * double; also inside `ValueAndTimestamp`) are kept at write, without a decode.
 */
export class ValueDecoder<V> {
  private readonly timestamped: boolean;
  private readonly exactNumbers: boolean;
  /** Timestamped values kept in the holder's entry fields (see `DecodedHolder.decodedSlotOf`). */
  private readonly slots: boolean;

  constructor(
    private readonly serde: Serde<V>,
    private readonly holder: DecodedHolder | null,
  ) {
    const inner = valueAndTimestampInner(serde);
    this.timestamped = inner !== undefined;
    const numbers = (inner ?? serde) as Serde<unknown>;
    this.exactNumbers = numbers === int64Serde || numbers === int32Serde || numbers === doubleSerde;
    this.slots = this.timestamped && typeof holder?.decodedSlotOf === 'function';
  }

  decode(bytes: Buffer, topic: string | undefined): V {
    const holder = this.holder;
    if (holder === null) return this.serde.deserialize(bytes, topic);
    if (this.slots) return this.decodeToSlot(holder, bytes, topic);
    const memo = holder.decodedOf(bytes);
    if (memo !== undefined) return this.fromKept(memo);
    const value = this.serde.deserialize(bytes, topic);
    const kept = this.keep(value);
    if (kept !== undefined) holder.setDecoded(bytes, kept);
    return value;
  }

  /** `decode` of a timestamped value through the holder's entry fields. */
  private decodeToSlot(holder: DecodedHolder, bytes: Buffer, topic: string | undefined): V {
    const slot = holder.decodedSlotOf!(bytes);
    if (slot !== undefined && slot.decoded !== undefined) return { timestamp: slot.decodedTs, value: fromMemo(slot.decoded) } as V;
    const value = this.serde.deserialize(bytes, topic);
    if (slot !== undefined) {
      const vt = value as { timestamp: unknown; value: unknown } | null;
      if (typeof vt === 'object' && vt !== null && typeof vt.timestamp === 'number') {
        const inner = memoOf(vt.value);
        if (inner !== undefined) {
          slot.decoded = inner;
          slot.decodedTs = vt.timestamp;
        }
      }
    }
    return value;
  }

  /** After `value` was serialized to `bytes` and written to the holder: keeps it when that needs no decode. */
  written(value: V, bytes: Buffer): void {
    if (!this.exactNumbers || this.holder === null) return;
    if (this.slots) {
      const vt = value as { timestamp: number; value: unknown };
      if (!exactTimestampedNumber(vt)) return;
      const slot = this.holder.decodedSlotOf!(bytes);
      if (slot !== undefined) {
        slot.decoded = vt.value;
        slot.decodedTs = vt.timestamp;
      }
      return;
    }
    const kept = this.keepNumber(value);
    if (kept !== undefined) this.holder.setDecoded(bytes, kept);
  }

  private keep(value: V): unknown {
    if (!this.timestamped) return memoOf(value);
    const vt = value as { timestamp: unknown; value: unknown } | null;
    if (typeof vt !== 'object' || vt === null || typeof vt.timestamp !== 'number') return undefined;
    const inner = memoOf(vt.value);
    return inner === undefined ? undefined : new TimestampedMemo(vt.timestamp, inner);
  }

  /**
   * The kept form of a number the exact serde accepted (decoding its bytes gives it back; -0 is
   * left out, the integer serdes read it as 0). A timestamp must be a safe integer other than -0.
   */
  private keepNumber(value: V): unknown {
    if (!this.timestamped) return typeof value === 'number' && !Object.is(value, -0) ? value : undefined;
    const vt = value as { timestamp: unknown; value: unknown };
    return exactTimestampedNumber(vt) ? new TimestampedMemo(vt.timestamp as number, vt.value) : undefined;
  }

  private fromKept(memo: unknown): V {
    if (!this.timestamped) return fromMemo(memo) as V;
    const m = memo as TimestampedMemo;
    return { timestamp: m.timestamp, value: fromMemo(m.value) } as V;
  }
}

/** A `ValueAndTimestamp` of a number other than -0 with a safe-integer timestamp other than -0 (kept at write). */
function exactTimestampedNumber(vt: { timestamp: unknown; value: unknown }): boolean {
  return typeof vt.value === 'number' && !Object.is(vt.value, -0) && Number.isSafeInteger(vt.timestamp) && !Object.is(vt.timestamp, -0);
}

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
