/**
 * How an operator's state store is made: name (also names its changelog
 * `<application.id>-<name>-changelog`), serdes, logging (default on, compacted changelog),
 * caching (default on: updates are compacted per key until commit) and store type (persistent
 * LevelDB by default, or in-memory).
 */
import type { Serde } from '../../serde/types.js';

/** Backend of a store: persistent (LevelDB under the state directory) or in memory (restored from its changelog on start). */
export type StoreType = 'persistent' | 'in-memory';

interface MaterializedOptions<K, V> {
  readonly storeName: string | undefined;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** null = logging disabled; otherwise changelog config overrides. */
  readonly logging: Readonly<Record<string, string>> | null;
  readonly caching: boolean;
  readonly storeType: StoreType | undefined;
  /** Window/session stores: how long windows are kept (ms); default size + grace. */
  readonly retentionMs?: number | undefined;
  /** Record cache budget in bytes when caching; default `DEFAULT_CACHE_MAX_BYTES` (10 MB). */
  readonly cacheMaxBytes?: number | undefined;
}

const DEFAULTS: MaterializedOptions<never, never> = {
  storeName: undefined,
  keySerde: undefined,
  valueSerde: undefined,
  logging: {},
  caching: true,
  storeType: undefined,
};

/** How a stateful operator's store is made: its name (and so its changelog topic `<app>-<name>-changelog`), serdes, store type, caching and logging. */
export class Materialized<K, V> {
  private constructor(readonly options: MaterializedOptions<K, V>) {}

  static as<K = unknown, V = unknown>(storeName: string): Materialized<K, V> {
    if (!storeName) throw new TypeError('Materialized.as: store name must not be empty');
    return new Materialized<K, V>({ ...DEFAULTS, storeName });
  }

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Materialized<K, V> {
    return new Materialized<K, V>({ ...DEFAULTS, keySerde, valueSerde });
  }

  static storeType<K = unknown, V = unknown>(storeType: StoreType): Materialized<K, V> {
    return new Materialized<K, V>({ ...DEFAULTS, storeType });
  }

  withKeySerde(keySerde: Serde<K>): Materialized<K, V> {
    return new Materialized({ ...this.options, keySerde });
  }

  withValueSerde(valueSerde: Serde<V>): Materialized<K, V> {
    return new Materialized({ ...this.options, valueSerde });
  }

  withLoggingEnabled(configs: Readonly<Record<string, string>> = {}): Materialized<K, V> {
    return new Materialized({ ...this.options, logging: { ...configs } });
  }

  withLoggingDisabled(): Materialized<K, V> {
    return new Materialized({ ...this.options, logging: null });
  }

  /** `maxBytes`: the store's record cache budget (window/session stores honour it; default 10 MB). */
  withCachingEnabled(maxBytes?: number): Materialized<K, V> {
    return new Materialized({ ...this.options, caching: true, ...(maxBytes === undefined ? {} : { cacheMaxBytes: maxBytes }) });
  }

  withCachingDisabled(): Materialized<K, V> {
    return new Materialized({ ...this.options, caching: false });
  }

  withStoreType(storeType: StoreType): Materialized<K, V> {
    return new Materialized({ ...this.options, storeType });
  }

  /** Window/session stores only: keeps windows `retentionMs` (ms) after their start; at least size + grace. */
  withRetention(retentionMs: number): Materialized<K, V> {
    return new Materialized({ ...this.options, retentionMs });
  }
}
