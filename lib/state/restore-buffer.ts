/**
 * The records restoration collects for one store before writing them: the last value per
 * changelog key, in the order keys were first seen (what compaction keeps).
 *
 * Keys are matched on their bytes (an open-addressing hash table of entry numbers), and key and
 * value bytes are copied into a few growing arenas, so a collected record holds no JS object: the
 * fetched records die young (no string per record, nothing promoted by the garbage collector,
 * no fetch buffer kept alive by a retained slice). `drain` hands the entries out as records whose
 * key and value are views of the arenas; the arenas then belong to those records (the store may
 * keep the values) and the buffer starts on new ones.
 */
import type { RestoreRecord } from './types.js';

const NO_ENTRY = -1;
const TOMBSTONE = -1;
const INITIAL_ENTRIES = 1024;
const INITIAL_ARENA = 64 * 1024;

export class RestoreBuffer {
  /** Entry number per hash slot (NO_ENTRY when free); twice the entry capacity, a power of two. */
  private table = new Int32Array(INITIAL_ENTRIES * 2).fill(NO_ENTRY);
  private keyOffset = new Int32Array(INITIAL_ENTRIES);
  private keyLength = new Int32Array(INITIAL_ENTRIES);
  private valueOffset = new Int32Array(INITIAL_ENTRIES);
  /** Value length, or TOMBSTONE. */
  private valueLength = new Int32Array(INITIAL_ENTRIES);
  private timestamps = new Float64Array(INITIAL_ENTRIES);
  private keys: Buffer = Buffer.allocUnsafeSlow(INITIAL_ARENA);
  private values: Buffer = Buffer.allocUnsafeSlow(INITIAL_ARENA);
  private keysUsed = 0;
  private valuesUsed = 0;
  private entries = 0;

  /** Distinct keys collected. */
  get size(): number {
    return this.entries;
  }

  /** Key and value bytes held (a value rewritten with another length holds both versions). */
  get bytes(): number {
    return this.keysUsed + this.valuesUsed;
  }

  /** Collects a record; a later record of the same key replaces its value and timestamp. */
  add(key: Buffer, value: Buffer | null, timestamp: number): void {
    const kl = key.length;
    let h = 0x811c9dc5 ^ kl;
    for (let i = 0; i < kl; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
    h ^= h >>> 15;
    const table = this.table;
    const mask = table.length - 1;
    const keys = this.keys;
    let slot = h & mask;
    let e = table[slot]!;
    while (e !== NO_ENTRY) {
      if (this.keyLength[e] === kl) {
        const o = this.keyOffset[e]!;
        let i = 0;
        while (i < kl && keys[o + i] === key[i]) i++;
        if (i === kl) break;
      }
      slot = (slot + 1) & mask;
      e = table[slot]!;
    }
    if (e === NO_ENTRY) {
      e = this.entries;
      if (e === this.keyOffset.length) {
        this.grow();
        this.add(key, value, timestamp);
        return;
      }
      this.entries = e + 1;
      table[slot] = e;
      const o = this.reserveKey(kl);
      copyInto(key, this.keys, o);
      this.keyOffset[e] = o;
      this.keyLength[e] = kl;
      this.valueLength[e] = TOMBSTONE;
    }
    this.timestamps[e] = timestamp;
    if (value === null) {
      this.valueLength[e] = TOMBSTONE;
      return;
    }
    const vl = value.length;
    // Same length as the value it replaces (a counter, a fixed-size aggregate): overwrite in place.
    const o = this.valueLength[e] === vl ? this.valueOffset[e]! : this.reserveValue(vl);
    copyInto(value, this.values, o);
    this.valueOffset[e] = o;
    this.valueLength[e] = vl;
  }

  /** The collected records (views of this buffer's arenas, which it gives up), and a fresh start. */
  drain(): RestoreRecord[] {
    const n = this.entries;
    const out = new Array<RestoreRecord>(n);
    const { keys, values, keyOffset, keyLength, valueOffset, valueLength, timestamps } = this;
    for (let e = 0; e < n; e++) {
      const ko = keyOffset[e]!;
      const vl = valueLength[e]!;
      const vo = valueOffset[e]!;
      out[e] = { key: keys.subarray(ko, ko + keyLength[e]!), value: vl === TOMBSTONE ? null : values.subarray(vo, vo + vl), timestamp: timestamps[e]! };
    }
    // Start small again when little was used; keep the capacity a busy changelog needed.
    const entries = Math.max(INITIAL_ENTRIES, nextPowerOfTwo(n));
    this.table = new Int32Array(entries * 2).fill(NO_ENTRY);
    if (entries !== this.keyOffset.length) this.allocateEntries(entries);
    this.keys = Buffer.allocUnsafeSlow(Math.max(INITIAL_ARENA, nextPowerOfTwo(this.keysUsed)));
    this.values = Buffer.allocUnsafeSlow(Math.max(INITIAL_ARENA, nextPowerOfTwo(this.valuesUsed)));
    this.keysUsed = 0;
    this.valuesUsed = 0;
    this.entries = 0;
    return out;
  }

  private allocateEntries(n: number): void {
    this.keyOffset = new Int32Array(n);
    this.keyLength = new Int32Array(n);
    this.valueOffset = new Int32Array(n);
    this.valueLength = new Int32Array(n);
    this.timestamps = new Float64Array(n);
  }

  /** Doubles the entry capacity and rehashes. */
  private grow(): void {
    const n = this.entries;
    const { keyOffset, keyLength, valueOffset, valueLength, timestamps } = this;
    this.allocateEntries(keyOffset.length * 2);
    this.keyOffset.set(keyOffset);
    this.keyLength.set(keyLength);
    this.valueOffset.set(valueOffset);
    this.valueLength.set(valueLength);
    this.timestamps.set(timestamps);
    const table = new Int32Array(this.keyOffset.length * 2).fill(NO_ENTRY);
    const mask = table.length - 1;
    const keys = this.keys;
    for (let e = 0; e < n; e++) {
      const o = this.keyOffset[e]!;
      const kl = this.keyLength[e]!;
      let h = 0x811c9dc5 ^ kl;
      for (let i = 0; i < kl; i++) h = Math.imul(h ^ keys[o + i]!, 0x01000193);
      h ^= h >>> 15;
      let slot = h & mask;
      while (table[slot] !== NO_ENTRY) slot = (slot + 1) & mask;
      table[slot] = e;
    }
    this.table = table;
  }

  private reserveKey(n: number): number {
    const o = this.keysUsed;
    if (o + n > this.keys.length) this.keys = grown(this.keys, o, o + n);
    this.keysUsed = o + n;
    return o;
  }

  private reserveValue(n: number): number {
    const o = this.valuesUsed;
    if (o + n > this.values.length) this.values = grown(this.values, o, o + n);
    this.valuesUsed = o + n;
    return o;
  }
}

function grown(arena: Buffer, used: number, needed: number): Buffer {
  const next = Buffer.allocUnsafeSlow(Math.max(arena.length * 2, nextPowerOfTwo(needed)));
  arena.copy(next, 0, 0, used);
  return next;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Short copies in a loop (keys and values are mostly a few bytes; `Buffer.copy` costs a native call). */
function copyInto(src: Buffer, dst: Buffer, at: number): void {
  const n = src.length;
  if (n > 64) {
    src.copy(dst, at);
    return;
  }
  for (let i = 0; i < n; i++) dst[at + i] = src[i]!;
}
