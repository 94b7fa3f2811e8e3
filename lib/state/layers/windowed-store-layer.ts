import type { SessionBytesStore } from '../internal/segmented-session-store.js';
import type { WindowBytesStore } from '../internal/segmented-window-store.js';

/**
 * What every layer of a window or session stack passes through to the layer below: its
 * identity (name, persistence, retention), whether it is open, flush and close. Layers that
 * do more at flush or close override those.
 */
export abstract class WindowedStoreLayer<S extends WindowBytesStore | SessionBytesStore> {
  constructor(protected readonly inner: S) {}

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }
  get isOpen(): boolean {
    return this.inner.isOpen;
  }
  get retentionMs(): number {
    return this.inner.retentionMs;
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
