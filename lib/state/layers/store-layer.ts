import type { RestorableStore } from '../types.js';

/**
 * What every layer of a store stack (metered, caching, change-logging) passes through to the
 * layer below: its identity (name, persistence), whether it is open, flush and close. Layers
 * that do more at flush or close override those.
 */
export abstract class StoreLayer<S extends RestorableStore> {
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

  flush(): Promise<void> {
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
