import { SegmentedSessionStore } from '../internal/segmented-session-store.js';
import { Segments } from '../internal/segments.js';
import { MemoryByteTable } from './byte-table.js';

/** In-memory session store: segments of sorted in-memory tables; empty at `init`, rebuilt by restoration. */
export class InMemorySessionStore extends SegmentedSessionStore {
  readonly persistent = false;

  protected async openSegments(): Promise<Segments> {
    return new Segments(this.retentionMs, this.segmentIntervalMs, () => new MemoryByteTable());
  }

  protected async flushSegments(): Promise<void> {}

  protected async closeSegments(): Promise<void> {}
}
