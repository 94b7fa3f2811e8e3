/**
 * Forwards a windowed table's updates as `Change`s with timestamp = the aggregate's timestamp:
 * through the store's cache flush listener when the store caches (updates compacted per window
 * until commit or eviction), otherwise on each write. `toKey` maps the store's window to the
 * emitted one (sliding windows are stored by end).
 */
import { isCachedStore } from '../../../state/abilities.js';
import type { ValueAndTimestamp, Windowed } from '../../../state/types.js';
import type { ProcessorContext } from '../../../topology/processor.js';
import { createRecord } from '../../../topology/record.js';
import { change, type Change } from '../../change.js';

export class WindowedForwarder<K, V> {
  cached: boolean;

  constructor(
    private readonly store: object,
    private readonly context: ProcessorContext<Windowed<K>, Change<V>>,
    private readonly sendOldValues: boolean,
    private readonly childName: string | undefined,
    toKey: (stored: Windowed<K>) => Windowed<K> = (w) => w,
  ) {
    this.cached =
      isCachedStore<Windowed<K>, ValueAndTimestamp<V>>(store) &&
      store.setFlushListener((key, newValue, oldValue, timestamp) => {
        const ts = newValue !== null ? newValue.timestamp : (oldValue?.timestamp ?? timestamp);
        this.emit(toKey(key), newValue?.value ?? null, sendOldValues ? (oldValue?.value ?? null) : null, ts);
      }, sendOldValues);
  }

  /** Forwards nothing from now on, neither on writes nor from the cache (the operator feeds its only consumer directly). */
  mute(): void {
    if (isCachedStore(this.store)) this.store.clearFlushListener?.();
    this.cached = true;
  }

  /** Call after each write; forwards unless the cache will. */
  maybeForward(key: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number): void {
    if (this.cached) return;
    this.emit(key, newValue, this.sendOldValues ? oldValue : null, timestamp);
  }

  private emit(key: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number): void {
    const record = createRecord(key, change(newValue, oldValue), timestamp);
    if (this.childName === undefined) this.context.forward(record);
    else this.context.forward(record, this.childName);
  }
}
