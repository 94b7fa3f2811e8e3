/**
 * Messages of the foreign-key join protocol and their byte layouts (tributary's own; Java apps
 * must not share these internal topics):
 *
 * - subscription (topic `…-subscription-registration-topic`, keyed by the foreign key):
 *   `[1 byte instruction][1 byte has-hash][16 byte hash if present][primary key bytes]`
 * - response (topic `…-subscription-response-topic`, keyed by the primary key):
 *   `[1 byte flags: 1 = hash present, 2 = value present][16 byte hash if present][value bytes]`
 * - subscription store key: `[4-byte BE foreign key length][foreign key bytes][primary key bytes]`,
 *   so the subscriptions of one foreign key are one contiguous range.
 *
 * The hash is MD5 of the serialized left value the message was derived from (absent: the left
 * row was deleted). The resolver drops a response whose hash differs from the hash of the
 * current left value: it answers an older version of the row.
 */
import { createHash } from 'node:crypto';
import { serdeError } from '../../../serde/serde-error.js';
import type { Serde } from '../../../serde/types.js';

export const enum Instruction {
  /** Forget this subscription (the left row moved to another foreign key). */
  Unsubscribe = 0,
  /** Subscribe and answer only if the right row exists (inner join, foreign key unchanged). */
  PropagateIfPresent = 1,
  /** Subscribe and always answer, with null if the right row is absent. */
  PropagateAlways = 2,
  /**
   * Forget this subscription and answer with null (inner join: the left row was deleted or lost
   * its foreign key), stamped like any answer: the later of the left row's and the right row's time.
   */
  UnsubscribeAndPropagate = 3,
}

export interface Subscription<K> {
  readonly instruction: Instruction;
  readonly hash: Buffer | null;
  readonly primaryKey: K;
}

export interface Response<VO> {
  readonly hash: Buffer | null;
  readonly value: VO | null;
}

export function valueHash(serialized: Buffer | null): Buffer | null {
  return serialized === null ? null : createHash('md5').update(serialized).digest();
}

export function sameHash(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

export function subscriptionSerde<K>(primaryKeySerde: Serde<K>): Serde<Subscription<K>> {
  return {
    serialize(s, topic) {
      const pk = primaryKeySerde.serialize(s.primaryKey, topic);
      const hashLen = s.hash === null ? 0 : 16;
      const out = Buffer.allocUnsafe(2 + hashLen + pk.length);
      out.writeUInt8(s.instruction, 0);
      out.writeUInt8(s.hash === null ? 0 : 1, 1);
      if (s.hash !== null) s.hash.copy(out, 2);
      pk.copy(out, 2 + hashLen);
      return out;
    },
    deserialize(data, topic) {
      if (data.length < 2) throw serdeError('foreign-key subscription: too short', topic);
      const hashLen = data.readUInt8(1) === 1 ? 16 : 0;
      return {
        instruction: data.readUInt8(0) as Instruction,
        hash: hashLen === 0 ? null : Buffer.from(data.subarray(2, 18)),
        primaryKey: primaryKeySerde.deserialize(data.subarray(2 + hashLen), topic),
      };
    },
  };
}

export function responseSerde<VO>(valueSerde: Serde<VO>): Serde<Response<VO>> {
  return {
    serialize(r, topic) {
      const v = r.value === null ? null : valueSerde.serialize(r.value, topic);
      const hashLen = r.hash === null ? 0 : 16;
      const out = Buffer.allocUnsafe(1 + hashLen + (v?.length ?? 0));
      out.writeUInt8((r.hash === null ? 0 : 1) | (v === null ? 0 : 2), 0);
      if (r.hash !== null) r.hash.copy(out, 1);
      v?.copy(out, 1 + hashLen);
      return out;
    },
    deserialize(data, topic) {
      if (data.length < 1) throw serdeError('foreign-key response: too short', topic);
      const flags = data.readUInt8(0);
      const hashLen = flags & 1 ? 16 : 0;
      return {
        hash: hashLen === 0 ? null : Buffer.from(data.subarray(1, 17)),
        value: flags & 2 ? valueSerde.deserialize(data.subarray(1 + hashLen), topic) : null,
      };
    },
  };
}

export function combinedKey(foreignKey: Buffer, primaryKey: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + foreignKey.length + primaryKey.length);
  out.writeUInt32BE(foreignKey.length, 0);
  foreignKey.copy(out, 4);
  primaryKey.copy(out, 4 + foreignKey.length);
  return out;
}

export function combinedKeyPrimary(combined: Buffer): Buffer {
  return combined.subarray(4 + combined.readUInt32BE(0));
}

/** `[from, to]` covering every combined key of `foreignKey`; `to` itself may belong to another key (filter with `hasPrefix`). */
export function foreignKeyRange(foreignKey: Buffer): { from: Buffer; to: Buffer } {
  const from = combinedKey(foreignKey, Buffer.alloc(0));
  // The prefix read as a big-endian number, plus one: every key with the prefix sorts below it.
  const to = Buffer.from(from);
  let i = to.length - 1;
  while (i >= 0 && to[i] === 0xff) to[i--] = 0;
  if (i >= 0) to[i]! += 1;
  return { from, to };
}

export function hasPrefix(key: Buffer, prefix: Buffer): boolean {
  return key.length >= prefix.length && key.subarray(0, prefix.length).equals(prefix);
}
