import type { SessionBytesStore } from '../internal/segmented-session-store.js';
import type { WindowBytesStore } from '../internal/segmented-window-store.js';
import { StoreLayer } from './store-layer.js';

/** A layer of a window or session stack: also passes the retention through. */
export abstract class WindowedStoreLayer<S extends WindowBytesStore | SessionBytesStore> extends StoreLayer<S> {
  get retentionMs(): number {
    return this.inner.retentionMs;
  }

  get observedStreamTime(): number {
    return this.inner.observedStreamTime;
  }
}
