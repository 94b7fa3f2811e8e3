/**
 * `StreamJoined`: options of a stream-stream join — serdes of the key and of both values (the
 * join stores and any repartition topic need them), a name (`withName`: the processors and the
 * repartition topics `<application.id>-<name>-left-repartition` / `-right-repartition`), a store
 * name prefix (`withStoreName`: stores `<prefix>-this-join-store`, `<prefix>-other-join-store`,
 * with `-outer-this-join`/`-outer-other-join` for the outer sides of left and outer joins, and the
 * shared store `<prefix>-left-shared-join-store` / `<prefix>-outer-shared-join-store`, as Kafka
 * Streams names them, hence stable changelog names), the store type and logging,
 * and where late records go.
 */
import type { Serde } from '../../serde/types.js';
import type { StoreType } from '../options/materialized.js';
import type { LateRecords } from '../windowed/late-records.js';

interface StreamJoinedOptions<K, V, VO> {
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly otherValueSerde: Serde<VO> | undefined;
  readonly name: string | undefined;
  readonly storeName: string | undefined;
  readonly storeType: StoreType | undefined;
  /** null = logging disabled; otherwise changelog config overrides. */
  readonly logging: Readonly<Record<string, string>> | null;
  /** Where late records are reported (a topic or a callback); they are joined all the same. */
  readonly lateRecords: LateRecords<K, V | VO> | undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const DEFAULTS: StreamJoinedOptions<any, any, any> = {
  keySerde: undefined,
  valueSerde: undefined,
  otherValueSerde: undefined,
  name: undefined,
  storeName: undefined,
  storeType: undefined,
  logging: {},
  lateRecords: undefined,
};

/** Serdes, store names and options of the two window stores of a stream-stream join. */
export class StreamJoined<K, V, VO> {
  private constructor(readonly options: StreamJoinedOptions<K, V, VO>) {}

  static with<K, V, VO>(keySerde: Serde<K>, valueSerde: Serde<V>, otherValueSerde: Serde<VO>): StreamJoined<K, V, VO> {
    return new StreamJoined<K, V, VO>({ ...DEFAULTS, keySerde, valueSerde, otherValueSerde });
  }

  static as<K = unknown, V = unknown, VO = unknown>(storeName: string): StreamJoined<K, V, VO> {
    if (!storeName) throw new TypeError('StreamJoined.as: store name must not be empty');
    return new StreamJoined<K, V, VO>({ ...DEFAULTS, storeName });
  }

  withName(name: string): StreamJoined<K, V, VO> {
    if (!name) throw new TypeError('StreamJoined.withName: name must not be empty');
    return new StreamJoined({ ...this.options, name });
  }

  withStoreName(storeName: string): StreamJoined<K, V, VO> {
    if (!storeName) throw new TypeError('StreamJoined.withStoreName: store name must not be empty');
    return new StreamJoined({ ...this.options, storeName });
  }

  withKeySerde(keySerde: Serde<K>): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.options, keySerde });
  }

  withValueSerde(valueSerde: Serde<V>): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.options, valueSerde });
  }

  withOtherValueSerde(otherValueSerde: Serde<VO>): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.options, otherValueSerde });
  }

  withStoreType(storeType: StoreType): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.options, storeType });
  }

  withLoggingEnabled(configs: Readonly<Record<string, string>> = {}): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.options, logging: { ...configs } });
  }

  /**
   * Reports late records (`ts + grace < stream time`) to a topic (original key, value, timestamp,
   * headers plus `tributary.late.*` headers, reason `past-grace`; give a value serde when the
   * sides' value types differ) or to a callback. They are not dropped: as in Kafka Streams they
   * still join what the other side retains, so their join results may be incomplete.
   */
  withLateRecords(lateRecords: LateRecords<K, V | VO>): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.options, lateRecords });
  }

  withLoggingDisabled(): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.options, logging: null });
  }
}
