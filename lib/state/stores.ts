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
import { keyValueChangelogConfigs, windowedChangelogConfigs } from './changelog-configs.js';
import { ConfigError } from '../errors.js';
import { checkName } from '../util/names.js';
import type { WindowBytesStore } from './internal/segmented-window-store.js';
import type { SessionBytesStore } from './internal/segmented-session-store.js';
import { CachingWindowStore } from './layers/caching-window-store.js';
import { CachingSessionStore } from './layers/caching-session-store.js';
import { ChangeLoggingWindowStore } from './layers/change-logging-window-store.js';
import { ChangeLoggingSessionStore } from './layers/change-logging-session-store.js';
import { MeteredWindowStore } from './layers/metered-window-store.js';
import { MeteredSessionStore } from './layers/metered-session-store.js';
import { InMemoryWindowStore } from './memory/window-store.js';
import { InMemorySessionStore } from './memory/session-store.js';
import { LevelDbWindowStore } from './leveldb/window-store.js';
import { LevelDbSessionStore } from './leveldb/session-store.js';

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

/** Makes the byte-level backend of a window store; one call per task. */
export interface WindowBytesStoreSupplier {
  readonly name: string;
  readonly kind: 'window';
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  get(): WindowBytesStore;
}

/** Makes the byte-level backend of a session store; one call per task. */
export interface SessionBytesStoreSupplier {
  readonly name: string;
  readonly kind: 'session';
  readonly persistent: boolean;
  readonly retentionMs: number;
  get(): SessionBytesStore;
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
  ) {
    checkName('store name', name, { usedFor: 'is a directory under the task directory and part of the changelog topic name' });
  }

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

export class TimestampedKeyValueStoreBuilder<K, V> extends AbstractStoreBuilder<
  MeteredKeyValueStore<K, ValueAndTimestamp<V>>,
  TimestampedKeyValueStoreBuilder<K, V>
> {
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

/**
 * Builds window stacks. Caching is ignored for stores that retain duplicates (join buffers):
 * every entry is distinct, so there is nothing to compact.
 */
export class WindowStoreBuilder<K, V> extends AbstractStoreBuilder<MeteredWindowStore<K, V>, WindowStoreBuilder<K, V>> {
  constructor(
    private readonly supplier: WindowBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    options: BuilderOptions = DEFAULTS,
  ) {
    super(supplier.name, options, windowedChangelogConfigs(supplier.retentionMs));
  }

  protected with(options: BuilderOptions): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(this.supplier, this.keySerde, this.valueSerde, options);
  }

  build(): MeteredWindowStore<K, V> {
    let store: WindowBytesStore = this.supplier.get();
    if (this.options.logging !== null) store = new ChangeLoggingWindowStore(store);
    if (this.options.cacheMaxBytes !== null && !this.supplier.retainDuplicates) store = new CachingWindowStore(store, this.options.cacheMaxBytes);
    return new MeteredWindowStore(store, this.keySerde, this.valueSerde);
  }
}

export class SessionStoreBuilder<K, V> extends AbstractStoreBuilder<MeteredSessionStore<K, V>, SessionStoreBuilder<K, V>> {
  constructor(
    private readonly supplier: SessionBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    options: BuilderOptions = DEFAULTS,
  ) {
    super(supplier.name, options, windowedChangelogConfigs(supplier.retentionMs));
  }

  protected with(options: BuilderOptions): SessionStoreBuilder<K, V> {
    return new SessionStoreBuilder(this.supplier, this.keySerde, this.valueSerde, options);
  }

  build(): MeteredSessionStore<K, V> {
    let store: SessionBytesStore = this.supplier.get();
    if (this.options.logging !== null) store = new ChangeLoggingSessionStore(store);
    if (this.options.cacheMaxBytes !== null) store = new CachingSessionStore(store, this.options.cacheMaxBytes);
    return new MeteredSessionStore(store, this.keySerde, this.valueSerde);
  }
}

function checkDuration(what: string, store: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new ConfigError(`${what} of store ${store} must be a non-negative integer number of ms, got ${ms}`, { context: { store } });
}

function windowSupplier(name: string, persistent: boolean, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier {
  checkDuration('retention', name, retentionMs);
  checkDuration('window size', name, windowSizeMs);
  if (windowSizeMs > retentionMs) {
    throw new ConfigError(`retention of window store ${name} (${retentionMs} ms) must be at least the window size (${windowSizeMs} ms); use size + grace`, {
      context: { store: name },
    });
  }
  return {
    name,
    kind: 'window',
    persistent,
    retentionMs,
    windowSizeMs,
    retainDuplicates,
    get: () =>
      persistent
        ? new LevelDbWindowStore(name, retentionMs, windowSizeMs, retainDuplicates)
        : new InMemoryWindowStore(name, retentionMs, windowSizeMs, retainDuplicates),
  };
}

function sessionSupplier(name: string, persistent: boolean, retentionMs: number): SessionBytesStoreSupplier {
  checkDuration('retention', name, retentionMs);
  return {
    name,
    kind: 'session',
    persistent,
    retentionMs,
    get: () => (persistent ? new LevelDbSessionStore(name, retentionMs) : new InMemorySessionStore(name, retentionMs)),
  };
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
  /**
   * LevelDB window store. `retentionMs` >= `windowSizeMs` (use size + grace); `retainDuplicates`
   * keeps every put (stream-stream join buffers).
   */
  persistentWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier {
    return windowSupplier(name, true, retentionMs, windowSizeMs, retainDuplicates);
  },
  /** LevelDB window store whose values are `ValueAndTimestamp` (same layout; pair with a `valueAndTimestampSerde`). */
  persistentTimestampedWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier {
    return windowSupplier(name, true, retentionMs, windowSizeMs, retainDuplicates);
  },
  inMemoryWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier {
    return windowSupplier(name, false, retentionMs, windowSizeMs, retainDuplicates);
  },
  /** LevelDB session store keeping sessions whose end is within `retentionMs` of stream time. */
  persistentSessionStore(name: string, retentionMs: number): SessionBytesStoreSupplier {
    return sessionSupplier(name, true, retentionMs);
  },
  inMemorySessionStore(name: string, retentionMs: number): SessionBytesStoreSupplier {
    return sessionSupplier(name, false, retentionMs);
  },
  windowStoreBuilder<K, V>(supplier: WindowBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(supplier, keySerde, valueSerde);
  },
  sessionStoreBuilder<K, V>(supplier: SessionBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): SessionStoreBuilder<K, V> {
    return new SessionStoreBuilder(supplier, keySerde, valueSerde);
  },
  keyValueStoreBuilder<K, V>(supplier: KeyValueBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },
  timestampedKeyValueStoreBuilder<K, V>(supplier: KeyValueBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): TimestampedKeyValueStoreBuilder<K, V> {
    return new TimestampedKeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },
};
