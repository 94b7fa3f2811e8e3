/**
 * Factories for state stores, in the spirit of Kafka Streams' `Stores`: a supplier names the
 * backend (LevelDB or in-memory) and kind; a builder adds serdes and the layers
 * metered ▶ caching ▶ change-logging ▶ backend, and is what the topology registers.
 *
 * Defaults: logging enabled (changelog configs per kind), caching disabled (the DSL enables it).
 */
import type { Serde } from '../serde/types.js';
import type { StateStore, StoreBuilder, ValueAndTimestamp } from './types.js';
import type { KeyValueBytesStore } from './internal/table-key-value-store.js';
import { CachingKeyValueStore } from './layers/caching-key-value-store.js';
import { ChangeLoggingKeyValueStore } from './layers/change-logging-key-value-store.js';
import { MeteredKeyValueStore } from './layers/metered-key-value-store.js';
import { InMemoryKeyValueStore } from './memory/key-value-store.js';
import { LevelDbKeyValueStore } from './leveldb/key-value-store.js';
import { timestampOfBytes, valueAndTimestampSerde } from './value-and-timestamp-serde.js';
import { keyValueChangelogConfigs } from './changelog-configs.js';

/** Default cache budget per store (bytes) when caching is enabled without a size. */
export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024;

/** Makes the byte-level backend of a key-value store; one call per task. */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  readonly kind: 'key-value';
  readonly persistent: boolean;
  /** Values carry a timestamp (`ValueAndTimestamp`). */
  readonly timestamped: boolean;
  get(): KeyValueBytesStore;
}

interface BuilderOptions {
  /** Cache budget in bytes, or null when caching is disabled. */
  readonly cacheMaxBytes: number | null;
  /** Changelog topic configs overrides, or null when logging is disabled. */
  readonly logging: Readonly<Record<string, string>> | null;
}

/** Immutable builder shared by every kind: each `with*` returns a new builder. */
export abstract class AbstractStoreBuilder<S extends StateStore, B> implements StoreBuilder<S> {
  constructor(
    readonly name: string,
    protected readonly options: BuilderOptions,
    private readonly defaultConfigs: Readonly<Record<string, string>>,
  ) {}

  protected abstract with(options: BuilderOptions): B;
  abstract build(): S;

  get loggingEnabled(): boolean {
    return this.options.logging !== null;
  }

  get cachingEnabled(): boolean {
    return this.options.cacheMaxBytes !== null;
  }

  get changelogConfigs(): Readonly<Record<string, string>> {
    return this.options.logging === null ? {} : { ...this.defaultConfigs, ...this.options.logging };
  }

  /** Caches updates (compacted per key) up to `maxBytes`; 0 forwards every update at once. */
  withCachingEnabled(maxBytes: number = DEFAULT_CACHE_MAX_BYTES): B {
    return this.with({ ...this.options, cacheMaxBytes: maxBytes });
  }

  withCachingDisabled(): B {
    return this.with({ ...this.options, cacheMaxBytes: null });
  }

  /** Logs every write to `<applicationId>-<store>-changelog`; `configs` override the topic defaults. */
  withLoggingEnabled(configs: Readonly<Record<string, string>> = {}): B {
    return this.with({ ...this.options, logging: { ...configs } });
  }

  withLoggingDisabled(): B {
    return this.with({ ...this.options, logging: null });
  }
}

const DEFAULTS: BuilderOptions = { cacheMaxBytes: null, logging: {} };

export class KeyValueStoreBuilder<K, V> extends AbstractStoreBuilder<MeteredKeyValueStore<K, V>, KeyValueStoreBuilder<K, V>> {
  constructor(
    private readonly supplier: KeyValueBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    options: BuilderOptions = DEFAULTS,
  ) {
    super(supplier.name, options, keyValueChangelogConfigs());
  }

  protected with(options: BuilderOptions): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(this.supplier, this.keySerde, this.valueSerde, options);
  }

  build(): MeteredKeyValueStore<K, V> {
    return new MeteredKeyValueStore(buildKeyValueStack(this.supplier, this.options, false), this.keySerde, this.valueSerde);
  }
}

export class TimestampedKeyValueStoreBuilder<K, V> extends AbstractStoreBuilder<MeteredKeyValueStore<K, ValueAndTimestamp<V>>, TimestampedKeyValueStoreBuilder<K, V>> {
  constructor(
    private readonly supplier: KeyValueBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    options: BuilderOptions = DEFAULTS,
  ) {
    super(supplier.name, options, keyValueChangelogConfigs());
  }

  protected with(options: BuilderOptions): TimestampedKeyValueStoreBuilder<K, V> {
    return new TimestampedKeyValueStoreBuilder(this.supplier, this.keySerde, this.valueSerde, options);
  }

  build(): MeteredKeyValueStore<K, ValueAndTimestamp<V>> {
    return new MeteredKeyValueStore(buildKeyValueStack(this.supplier, this.options, true), this.keySerde, valueAndTimestampSerde(this.valueSerde));
  }
}

function buildKeyValueStack(supplier: KeyValueBytesStoreSupplier, options: BuilderOptions, timestamped: boolean): KeyValueBytesStore {
  let store: KeyValueBytesStore = supplier.get();
  if (options.logging !== null) store = new ChangeLoggingKeyValueStore(store, timestamped);
  if (options.cacheMaxBytes !== null) store = new CachingKeyValueStore(store, options.cacheMaxBytes, timestamped ? timestampOfBytes : null);
  return store;
}

function kvSupplier(name: string, persistent: boolean, timestamped: boolean): KeyValueBytesStoreSupplier {
  return {
    name,
    kind: 'key-value',
    persistent,
    timestamped,
    get: () => (persistent ? new LevelDbKeyValueStore(name) : new InMemoryKeyValueStore(name)),
  };
}

export const Stores = {
  /** LevelDB key-value store at `<taskDir>/<name>`. */
  persistentKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return kvSupplier(name, true, false);
  },
  /** LevelDB key-value store whose values carry a timestamp; use with `timestampedKeyValueStoreBuilder`. */
  persistentTimestampedKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return kvSupplier(name, true, true);
  },
  /** In-memory key-value store sorted by key bytes; rebuilt from its changelog on restart. */
  inMemoryKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return kvSupplier(name, false, false);
  },
  keyValueStoreBuilder<K, V>(supplier: KeyValueBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },
  timestampedKeyValueStoreBuilder<K, V>(supplier: KeyValueBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): TimestampedKeyValueStoreBuilder<K, V> {
    return new TimestampedKeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },
};
