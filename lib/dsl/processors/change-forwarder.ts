/**
 * Forwards a table's updates as `Change`s: through the store's cache flush listener when the
 * store caches (updates compacted per key until commit), otherwise immediately on each write.
 */
import { isCachedStore } from '../../state/abilities.js';
import type { TimestampedKeyValueStore, ValueAndTimestamp } from '../../state/types.js';
import type { ProcessorContext } from '../../topology/processor.js';
import { createRecord } from '../../topology/record.js';
import { change, type Change } from '../change.js';

/** Read by processors at `init`, set by the DSL until `build()`: whether downstream needs old values. */
export interface SendOldValues {
  sendOldValues: boolean;
}

export class ChangeForwarder<K, V> {
  private readonly cached: boolean;

  constructor(
    store: TimestampedKeyValueStore<K, V>,
    private readonly context: ProcessorContext<K, Change<V>>,
    private readonly sendOldValues: boolean,
  ) {
    this.cached =
      isCachedStore<K, ValueAndTimestamp<V>>(store) &&
      store.setFlushListener((key, newValue, oldValue, timestamp) => {
        context.forward(createRecord(key, change(newValue?.value ?? null, sendOldValues ? (oldValue?.value ?? null) : null), timestamp));
      }, sendOldValues);
  }

  /** Call after each write; forwards unless the cache will. */
  maybeForward(key: K, newValue: V | null, oldValue: V | null, timestamp: number): void {
    if (this.cached) return;
    this.context.forward(createRecord(key, change(newValue, this.sendOldValues ? oldValue : null), timestamp));
  }
}
