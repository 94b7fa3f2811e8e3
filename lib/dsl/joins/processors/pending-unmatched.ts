/**
 * The shared "outer" store of a left/outer stream-stream join: records that have not found a
 * partner yet, waiting for their window + grace to close. One key-value store over bytes, shared
 * by both join processors of a task:
 *
 *   key   = [8-byte BE timestamp][1 byte side: 0 left, 1 right][serialized record key]
 *   value = [4-byte BE count] then per record [4-byte BE length][serialized value]
 *
 * Ordering by timestamp first makes "everything that may have closed" one range scan from the
 * start. Records of one side with equal key and timestamp always match the same partners, so
 * they share an entry (a list) and are matched or emitted together — duplicates are never lost.
 */
import type { Serde } from '../../../serde/types.js';
import type { KeyValueStore } from '../../../state/types.js';

export const LEFT = 0;
export const RIGHT = 1;
export type Side = typeof LEFT | typeof RIGHT;

export function pendingKey(timestamp: number, side: Side, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(9 + key.length);
  out.writeUInt32BE(Math.floor(timestamp / 0x1_0000_0000), 0);
  out.writeUInt32BE(timestamp % 0x1_0000_0000, 4);
  out.writeUInt8(side, 8);
  key.copy(out, 9);
  return out;
}

/** The smallest key sorting after every entry with timestamp <= `timestamp`. */
export function pendingUpperBound(timestamp: number): Buffer {
  const t = timestamp + 1;
  const out = Buffer.allocUnsafe(8);
  out.writeUInt32BE(Math.floor(t / 0x1_0000_0000), 0);
  out.writeUInt32BE(t % 0x1_0000_0000, 4);
  return out;
}

export const PENDING_LOWER_BOUND = Buffer.alloc(8);

export function parsePendingKey(composite: Buffer): { timestamp: number; side: Side; key: Buffer } {
  return {
    timestamp: composite.readUInt32BE(0) * 0x1_0000_0000 + composite.readUInt32BE(4),
    side: composite.readUInt8(8) as Side,
    key: composite.subarray(9),
  };
}

export function appendPending(existing: Buffer | undefined, value: Buffer): Buffer {
  if (existing === undefined) {
    const out = Buffer.allocUnsafe(8 + value.length);
    out.writeUInt32BE(1, 0);
    out.writeUInt32BE(value.length, 4);
    value.copy(out, 8);
    return out;
  }
  const out = Buffer.allocUnsafe(existing.length + 4 + value.length);
  existing.copy(out, 0);
  out.writeUInt32BE(existing.readUInt32BE(0) + 1, 0);
  out.writeUInt32BE(value.length, existing.length);
  value.copy(out, existing.length + 4);
  return out;
}

export function pendingValues(list: Buffer): Buffer[] {
  const n = list.readUInt32BE(0);
  const out: Buffer[] = [];
  let at = 4;
  for (let i = 0; i < n; i++) {
    const len = list.readUInt32BE(at);
    out.push(list.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

/** Typed access to the pending store for one join: serdes of the key and both value sides. */
export class PendingUnmatched<K, V1, V2> {
  constructor(
    readonly store: KeyValueStore<Buffer, Buffer>,
    private readonly keySerde: Serde<K>,
    private readonly leftSerde: Serde<V1>,
    private readonly rightSerde: Serde<V2>,
    private readonly topic: string,
  ) {}

  add(side: Side, key: K, value: V1 | V2, timestamp: number): void {
    const k = pendingKey(timestamp, side, this.keySerde.serialize(key, this.topic));
    const serde = (side === LEFT ? this.leftSerde : this.rightSerde) as Serde<V1 | V2>;
    this.store.put(k, appendPending(this.store.get(k), serde.serialize(value, this.topic)));
  }

  /** Forgets the records of `side` at (`key`, `timestamp`): they found a partner. */
  matched(side: Side, key: K, timestamp: number): void {
    const k = pendingKey(timestamp, side, this.keySerde.serialize(key, this.topic));
    if (this.store.get(k) !== undefined) this.store.delete(k);
  }

  /**
   * Entries with timestamp <= `upTo`, ascending by timestamp. `closed` decides per entry; closed
   * ones are passed to `emit` and deleted. Returns the smallest timestamp left in the range, or
   * `upTo + 1` when none is left.
   */
  drain(upTo: number, closed: (side: Side, timestamp: number) => boolean, emit: (side: Side, key: K, value: V1 | V2, timestamp: number) => void): number {
    let low = upTo + 1;
    for (const entry of this.store.range(PENDING_LOWER_BOUND, pendingUpperBound(upTo))) {
      const { timestamp, side, key } = parsePendingKey(entry.key);
      if (!closed(side, timestamp)) {
        if (timestamp < low) low = timestamp;
        continue;
      }
      const k = this.keySerde.deserialize(key, this.topic);
      const serde = (side === LEFT ? this.leftSerde : this.rightSerde) as Serde<V1 | V2>;
      for (const v of pendingValues(entry.value)) emit(side, k, serde.deserialize(v, this.topic), timestamp);
      this.store.delete(entry.key);
    }
    return low;
  }
}
