/** How a sink writes: serdes, partitioner, processor name. Absent serdes: the stream's, then the application's defaults. */
import type { Serde } from '../../serde/types.js';
import type { StreamPartitioner } from '../../topology/types.js';

interface ProducedOptions<K, V> {
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly partitioner: StreamPartitioner<K, V> | undefined;
  readonly name: string | undefined;
}

/** How records are written to a topic (`to`): key and value serdes, partitioner and processor name. */
export class Produced<K, V> {
  private constructor(readonly options: ProducedOptions<K, V>) {}

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>, partitioner?: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced<K, V>({ keySerde, valueSerde, partitioner, name: undefined });
  }

  static as<K = unknown, V = unknown>(name: string): Produced<K, V> {
    return new Produced<K, V>({ keySerde: undefined, valueSerde: undefined, partitioner: undefined, name });
  }

  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced<K, V>({ keySerde: undefined, valueSerde: undefined, partitioner, name: undefined });
  }

  withKeySerde(keySerde: Serde<K>): Produced<K, V> {
    return new Produced({ ...this.options, keySerde });
  }

  withValueSerde(valueSerde: Serde<V>): Produced<K, V> {
    return new Produced({ ...this.options, valueSerde });
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced({ ...this.options, partitioner });
  }

  withName(name: string): Produced<K, V> {
    return new Produced({ ...this.options, name });
  }
}
