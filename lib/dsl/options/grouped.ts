/**
 * Serdes and name for a grouping. The name names the repartition topic
 * (`<application.id>-<name>-repartition`) and its nodes when grouping needs a repartition.
 */
import type { Serde } from '../../serde/types.js';

interface GroupedOptions<K, V> {
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly name: string | undefined;
}

/** Serdes and name of a grouping (`groupBy`, `groupByKey`); the name also names the repartition topic when one is needed. */
export class Grouped<K, V> {
  private constructor(readonly options: GroupedOptions<K, V>) {}

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Grouped<K, V> {
    return new Grouped<K, V>({ keySerde, valueSerde, name: undefined });
  }

  static as<K = unknown, V = unknown>(name: string): Grouped<K, V> {
    return new Grouped<K, V>({ keySerde: undefined, valueSerde: undefined, name });
  }

  static keySerde<K, V = unknown>(keySerde: Serde<K>): Grouped<K, V> {
    return new Grouped<K, V>({ keySerde, valueSerde: undefined, name: undefined });
  }

  withKeySerde<KR>(keySerde: Serde<KR>): Grouped<KR, V> {
    return new Grouped<KR, V>({ ...(this.options as unknown as GroupedOptions<KR, V>), keySerde });
  }

  withValueSerde<VR>(valueSerde: Serde<VR>): Grouped<K, VR> {
    return new Grouped<K, VR>({ ...(this.options as unknown as GroupedOptions<K, VR>), valueSerde });
  }

  withName(name: string): Grouped<K, V> {
    return new Grouped({ ...this.options, name });
  }
}
