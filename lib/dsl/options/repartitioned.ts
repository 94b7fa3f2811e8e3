/** Options of `KStream.repartition`: topic name, serdes, partition count, partitioner. */
import type { Serde } from '../../serde/types.js';
import type { StreamPartitioner } from '../../topology/types.js';

interface RepartitionedOptions<K, V> {
  readonly name: string | undefined;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly numPartitions: number | undefined;
  readonly partitioner: StreamPartitioner<K, V> | undefined;
}

function empty<K, V>(): RepartitionedOptions<K, V> {
  return {
    name: undefined,
    keySerde: undefined,
    valueSerde: undefined,
    numPartitions: undefined,
    partitioner: undefined,
  };
}

/** Options of an explicit `repartition()`: topic name, number of partitions, serdes and partitioner. */
export class Repartitioned<K, V> {
  private constructor(readonly options: RepartitionedOptions<K, V>) {}

  static as<K = unknown, V = unknown>(name: string): Repartitioned<K, V> {
    return new Repartitioned<K, V>({ ...empty<K, V>(), name });
  }

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned<K, V>({ ...empty<K, V>(), keySerde, valueSerde });
  }

  static numberOfPartitions<K = unknown, V = unknown>(numPartitions: number): Repartitioned<K, V> {
    return new Repartitioned<K, V>({ ...empty<K, V>(), numPartitions });
  }

  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned<K, V>({ ...empty<K, V>(), partitioner });
  }

  withName(name: string): Repartitioned<K, V> {
    return new Repartitioned({ ...this.options, name });
  }

  withKeySerde(keySerde: Serde<K>): Repartitioned<K, V> {
    return new Repartitioned({ ...this.options, keySerde });
  }

  withValueSerde(valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned({ ...this.options, valueSerde });
  }

  withNumberOfPartitions(numPartitions: number): Repartitioned<K, V> {
    return new Repartitioned({ ...this.options, numPartitions });
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned({ ...this.options, partitioner });
  }
}
