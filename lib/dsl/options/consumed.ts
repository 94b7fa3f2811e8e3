/**
 * How a source reads its topic: serdes, timestamp extractor, offset reset, processor name.
 * Absent fields fall back to the application's defaults.
 */
import type { Serde } from '../../serde/types.js';
import type { OffsetReset, TimestampExtractor } from '../../topology/types.js';

interface ConsumedOptions<K, V> {
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly timestampExtractor: TimestampExtractor<K, V> | undefined;
  readonly offsetReset: OffsetReset | undefined;
  readonly name: string | undefined;
}

function empty<K, V>(): ConsumedOptions<K, V> {
  return {
    keySerde: undefined,
    valueSerde: undefined,
    timestampExtractor: undefined,
    offsetReset: undefined,
    name: undefined,
  };
}

/** How a source topic is read: key and value serdes, timestamp extractor, offset reset and processor name. */
export class Consumed<K, V> {
  private constructor(readonly options: ConsumedOptions<K, V>) {}

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Consumed<K, V> {
    return new Consumed<K, V>({ ...empty<K, V>(), keySerde, valueSerde });
  }

  static as<K = unknown, V = unknown>(name: string): Consumed<K, V> {
    return new Consumed<K, V>({ ...empty<K, V>(), name });
  }

  static withTimestampExtractor<K = unknown, V = unknown>(extractor: TimestampExtractor<K, V>): Consumed<K, V> {
    return new Consumed<K, V>({ ...empty<K, V>(), timestampExtractor: extractor });
  }

  withKeySerde<KR>(keySerde: Serde<KR>): Consumed<KR, V> {
    return new Consumed<KR, V>({ ...(this.options as unknown as ConsumedOptions<KR, V>), keySerde });
  }

  withValueSerde<VR>(valueSerde: Serde<VR>): Consumed<K, VR> {
    return new Consumed<K, VR>({ ...(this.options as unknown as ConsumedOptions<K, VR>), valueSerde });
  }

  withTimestampExtractor(extractor: TimestampExtractor<K, V>): Consumed<K, V> {
    return new Consumed({ ...this.options, timestampExtractor: extractor });
  }

  withOffsetResetPolicy(offsetReset: OffsetReset): Consumed<K, V> {
    return new Consumed({ ...this.options, offsetReset });
  }

  withName(name: string): Consumed<K, V> {
    return new Consumed({ ...this.options, name });
  }
}
