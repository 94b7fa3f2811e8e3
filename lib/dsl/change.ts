/**
 * `Change<V>`: what flows between KTable processors — the new value and the old one (null for
 * "absent"; `oldValue` is also null when the upstream table does not send old values).
 */
import type { Serde } from '../serde/types.js';
import { serdeError } from '../serde/serde-error.js';

/** An update of a table row as aggregations see it: the new value and the old one (null when there was none, or on a delete). */
export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}

export function change<V>(newValue: V | null, oldValue: V | null): Change<V> {
  return { newValue, oldValue };
}

/**
 * Serde for changes sent through a repartition topic (KGroupedTable): a flag byte (bit 0 = new
 * present, bit 1 = old present), a 4-byte BE length of the new value, the new bytes, the old bytes.
 * Our own layout (not Kafka Streams' ChangedSerializer), so mixed Java/TS groups must not share
 * this internal topic.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return {
    serialize(value, topic) {
      const n = value.newValue === null ? null : inner.serialize(value.newValue, topic);
      const o = value.oldValue === null ? null : inner.serialize(value.oldValue, topic);
      const out = Buffer.allocUnsafe(5 + (n?.length ?? 0) + (o?.length ?? 0));
      out.writeUInt8((n ? 1 : 0) | (o ? 2 : 0), 0);
      out.writeUInt32BE(n?.length ?? 0, 1);
      n?.copy(out, 5);
      o?.copy(out, 5 + (n?.length ?? 0));
      return out;
    },
    deserialize(data, topic) {
      if (data.length < 5) throw serdeError(`change serde: ${data.length} bytes is too short`, topic);
      const flags = data.readUInt8(0);
      const newLen = data.readUInt32BE(1);
      if (5 + newLen > data.length) throw serdeError('change serde: truncated record', topic);
      return {
        newValue: flags & 1 ? inner.deserialize(data.subarray(5, 5 + newLen), topic) : null,
        oldValue: flags & 2 ? inner.deserialize(data.subarray(5 + newLen), topic) : null,
      };
    },
  };
}
