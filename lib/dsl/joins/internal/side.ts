/** Helpers shared by the join builders: repartitioning a key-changed side, checks. */
import { TributaryError } from '../../../errors.js';
import type { Serde } from '../../../serde/types.js';
import type { InternalStreamsBuilder } from '../../internal/builder.js';
import { KStreamImpl } from '../../internal/kstream-impl.js';
import { addRepartition } from '../../internal/repartition.js';
import type { KStream } from '../../kstream.js';

export function streamImpl<K, V>(stream: KStream<K, V>, builder: InternalStreamsBuilder, operator: string): KStreamImpl<K, V> {
  if (!(stream instanceof KStreamImpl) || stream.builder !== builder) {
    throw new TributaryError(`${operator}: both sides must come from the same StreamsBuilder`, { code: 'TOPOLOGY' });
  }
  return stream as KStreamImpl<K, V>;
}

/**
 * The side itself, or — after a key change — its records written through
 * `<application.id>-<prefix>-repartition` (null keys dropped) and read back partitioned by key.
 */
export function repartitionedSide<K, V>(
  side: KStreamImpl<K, V>,
  userName: string | undefined,
  suffix: string,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
  operator: string,
): KStreamImpl<K, V> {
  if (!side.repartitionRequired) return side;
  const builder = side.builder;
  const prefix = userName !== undefined ? `${userName}-${suffix}` : `${side.name}`;
  if (userName === undefined) {
    builder.warn(`${operator} after a key change has no name; its repartition topic ${prefix}-repartition will shift when the topology changes: name the join`);
  }
  const name = addRepartition(builder, {
    parent: side.name,
    prefix,
    keySerde,
    valueSerde,
    dropNullKeys: true,
  });
  return new KStreamImpl<K, V>(builder, name, keySerde, valueSerde, false);
}
