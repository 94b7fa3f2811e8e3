/**
 * State store contracts shared by the runtime (lib/runtime), the DSL operators and the store
 * implementations (lib/state). Reads and writes are synchronous — the per-record path never
 * awaits; writes are buffered and reach the backend as one batch at `flush()` (the task commit).
 *
 * Layers, outermost first: metered (serdes + metrics) ▶ caching (compacts updates per key,
 * forwards at flush/eviction) ▶ change-logging (every write also to the changelog topic) ▶
 * backend (LevelDB or in-memory), all over bytes. Keys compare as bytes.
 */

/** Where a change-logging layer sends its records; the runtime puts them in the task's transaction. */
export interface ChangelogSink {
  /** The changelog topic and partition this store logs to. */
  readonly topic: string;
  readonly partition: number;
  /** Appends one changelog record (value null = tombstone). Synchronous: buffered until commit. */
  log(key: Buffer, value: Buffer | null, timestamp: number): void;
}

/** What a store learns from the task that owns it. */
export interface StateStoreContext {
  readonly applicationId: string;
  readonly taskId: string;
  /** Input partition of the task; also the changelog partition. */
  readonly partition: number;
  /** Directory of the task under the state dir (`<stateDir>/<applicationId>/<taskId>`); persistent stores create subdirectories here. */
  readonly taskDir: string;
  /** Present when logging is enabled for the store. */
  readonly changelog: ChangelogSink | null;
  /** Current record's timestamp and the task's stream time, for layers that need them. */
  currentTimestamp(): number;
  streamTime(): number;
}

export interface StateStore {
  readonly name: string;
  /** True for stores that keep data on disk (LevelDB). */
  readonly persistent: boolean;
  init(context: StateStoreContext): Promise<void>;
  /** Writes buffered changes to the backend (and forwards cached updates downstream). Called at every commit. */
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly isOpen: boolean;
}

/**
 * A persistent store that keeps a checkpoint marker with its data. The runtime writes the id of
 * each checkpoint into the store (after flushing it, as its last write) and into `.checkpoint`;
 * at open a checkpoint vouches for the store only while the store still holds that id — a store
 * whose directory was deleted, emptied or replaced, or whose log lost its tail, does not, and is
 * wiped and restored from its changelog.
 */
export interface MarkedStore {
  /** True when this store (or the backend below its layers) keeps markers. */
  readonly keepsMarkers: boolean;
  /** The marker last written; null when there is none. */
  readMarker(): string | null;
  /** Writes buffered data, then the marker, durably. */
  writeMarker(id: string): Promise<void>;
}

export function isMarkedStore(store: StateStore): store is StateStore & MarkedStore {
  return (
    'keepsMarkers' in store &&
    store.keepsMarkers === true &&
    'readMarker' in store &&
    typeof store.readMarker === 'function' &&
    'writeMarker' in store &&
    typeof store.writeMarker === 'function'
  );
}

/**
 * A window or session store that expires by a stream time of its own: the largest window start
 * (session end) it was given or recovered from disk or its changelog; a put of a window older
 * than `observedStreamTime - retentionMs + 1` is dropped. An operator whose clock restarts with
 * the task seeds it from this, so it never accepts a record the store would drop.
 */
export interface StreamTimeKeepingStore {
  readonly observedStreamTime: number;
}

export function keepsStreamTime(store: object): store is StreamTimeKeepingStore {
  return typeof (store as Partial<StreamTimeKeepingStore>).observedStreamTime === 'number';
}

/** A changelog record being replayed into a store during restoration. */
export interface RestoreRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

/** Stores that can be rebuilt from their changelog. Batches are applied in order; no per-record await. */
export interface RestorableStore extends StateStore {
  restoreBatch(records: readonly RestoreRecord[]): Promise<void>;
}

export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | undefined;
  /** Entries with `from <= key <= to` by serialized-byte order. */
  range(from: K, to: K): KeyValue<K, V>[];
  all(): KeyValue<K, V>[];
  approximateNumEntries(): number;
}

export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  /** A null value deletes the key. */
  put(key: K, value: V | null): void;
  putIfAbsent(key: K, value: V): V | undefined;
  delete(key: K): V | undefined;
}

export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

export type TimestampedKeyValueStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>>;

/** A time window `[start, end)` (sliding windows use inclusive ends and say so). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** A key of a windowed table: the record key and its window. */
export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}

export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key` in the window starting at `windowStart`. */
  fetch(key: K, windowStart: number): V | undefined;
  /** All values of `key` whose window start is in `[timeFrom, timeTo]`, ascending by start (and insertion order for duplicates). */
  fetchRange(key: K, timeFrom: number, timeTo: number): KeyValue<number, V>[];
  /** All windows of all keys with start in `[timeFrom, timeTo]`. */
  fetchAll(timeFrom: number, timeTo: number): KeyValue<Windowed<K>, V>[];
  all(): KeyValue<Windowed<K>, V>[];
}

export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /** Puts the value for the window of `key` starting at `windowStart`; null deletes. With `retainDuplicates`, every put adds a new entry. */
  put(key: K, value: V | null, windowStart: number): void;
  readonly retentionMs: number;
  readonly retainDuplicates: boolean;
}

export interface ReadOnlySessionStore<K, V> {
  /** Sessions of `key` with `end >= earliestSessionEnd` and `start <= latestSessionStart`. */
  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): KeyValue<Windowed<K>, V>[];
  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | undefined;
  fetch(key: K): KeyValue<Windowed<K>, V>[];
}

export interface SessionStore<K, V> extends StateStore, ReadOnlySessionStore<K, V> {
  put(session: Windowed<K>, value: V): void;
  remove(session: Windowed<K>): void;
  readonly retentionMs: number;
}

/** Builds a store for one task. Stores of the same name in different tasks are independent. */
export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string;
  /** Whether writes go to a changelog topic. */
  readonly loggingEnabled: boolean;
  /** Configs of the changelog topic (cleanup.policy, retention.ms, ...). */
  readonly changelogConfigs: Readonly<Record<string, string>>;
  build(): S;
}
