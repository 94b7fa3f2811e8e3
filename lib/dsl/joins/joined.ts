/**
 * `Joined`: options of a stream-table join — serdes of the key, the stream's value and the
 * table's value (used when the stream side must be repartitioned first), and a name for the join
 * processor (which also names the repartition topic `<application.id>-<name>-left-repartition`).
 */
import type { Serde } from '../../serde/types.js';

interface JoinedOptions<K, V, VO> {
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly otherValueSerde: Serde<VO> | undefined;
  readonly name: string | undefined;
}

/** Serdes and name of a stream-table join (`KStream.join(table)`, `leftJoin`). */
export class Joined<K, V, VO> {
  private constructor(readonly options: JoinedOptions<K, V, VO>) {}

  static with<K, V, VO>(keySerde: Serde<K>, valueSerde: Serde<V>, otherValueSerde?: Serde<VO>): Joined<K, V, VO> {
    return new Joined<K, V, VO>({ keySerde, valueSerde, otherValueSerde, name: undefined });
  }

  static as<K = unknown, V = unknown, VO = unknown>(name: string): Joined<K, V, VO> {
    if (!name) throw new TypeError('Joined.as: name must not be empty');
    return new Joined<K, V, VO>({ keySerde: undefined, valueSerde: undefined, otherValueSerde: undefined, name });
  }

  withName(name: string): Joined<K, V, VO> {
    if (!name) throw new TypeError('Joined.withName: name must not be empty');
    return new Joined({ ...this.options, name });
  }

  withKeySerde(keySerde: Serde<K>): Joined<K, V, VO> {
    return new Joined({ ...this.options, keySerde });
  }

  withValueSerde(valueSerde: Serde<V>): Joined<K, V, VO> {
    return new Joined({ ...this.options, valueSerde });
  }

  withOtherValueSerde(otherValueSerde: Serde<VO>): Joined<K, V, VO> {
    return new Joined({ ...this.options, otherValueSerde });
  }
}
