/** State stores: contracts, the `Stores` factories, layers and helpers the runtime wires in. */
export * from './types.js';
export { Stores, DEFAULT_CACHE_MAX_BYTES, KeyValueStoreBuilder, TimestampedKeyValueStoreBuilder, WindowStoreBuilder, SessionStoreBuilder, AbstractStoreBuilder } from './stores.js';
export type { KeyValueBytesStoreSupplier, WindowBytesStoreSupplier, SessionBytesStoreSupplier } from './stores.js';
export { changelogTopicName, keyValueChangelogConfigs, windowedChangelogConfigs } from './changelog-configs.js';
export type { FlushListener, CachedStateStore } from './layers/flush-listener.js';
export type { StoreMetricsSnapshot } from './layers/store-metrics.js';
export { MeteredKeyValueStore } from './layers/metered-key-value-store.js';
export { MeteredWindowStore } from './layers/metered-window-store.js';
export { MeteredSessionStore } from './layers/metered-session-store.js';
export { valueAndTimestampSerde } from './value-and-timestamp-serde.js';
