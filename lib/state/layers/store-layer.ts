import { isMarkedStore, type MarkedStore, type RestorableStore } from '../types.js';

/**
 * What every layer of a store stack (metered, caching, change-logging) passes through to the
 * layer below: its identity (name, persistence), whether it is open, checkpoint markers, flush
 * and close. Layers
 * that do more at flush or close override those.
 */
export abstract class StoreLayer<S extends RestorableStore> implements MarkedStore {
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

  /** Checkpoint markers are kept by the backend (see `MarkedStore`). */
  get keepsMarkers(): boolean {
    return isMarkedStore(this.inner);
  }
  readMarker(): string | null {
    return isMarkedStore(this.inner) ? this.inner.readMarker() : null;
  }
  async writeMarker(id: string): Promise<void> {
    if (isMarkedStore(this.inner)) await this.inner.writeMarker(id);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
