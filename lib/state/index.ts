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
export { restoreStores, endOffsets, changelogCheckpointOffsets } from './restore.js';
export type { ChangelogPartition, RestoreOptions, RestoreProgress, RestoreResult } from './restore.js';
export { readCheckpoint, writeCheckpoint, deleteCheckpoint, wipeTaskDir, openTaskState, checkpointOffset, CHECKPOINT_FILE } from './checkpoint.js';
export type { CheckpointEntry, TaskStateOpening } from './checkpoint.js';
export { StateDirectory, LOCK_FILE } from './state-directory.js';
export { QueryableStores } from './queryable.js';
export type { StoreStatus } from './queryable.js';
