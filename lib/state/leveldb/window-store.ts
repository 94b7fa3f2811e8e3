import type { StateStoreContext } from '../types.js';
import { SegmentedWindowStore } from '../internal/segmented-window-store.js';
import type { Segments } from '../internal/segments.js';
import type { LevelDbDatabase } from './database.js';
import { openLevelDbSegments } from './segments.js';

/**
 * Persistent window store in LevelDB at `<taskDir>/<name>`: one database, one key-prefix
 * range per segment, values read with `getSync` through an in-memory key index per segment
 * (see `SegmentedWindowStore` for why), writes batched per commit.
 */
export class LevelDbWindowStore extends SegmentedWindowStore {
  readonly persistent = true;
  readonly keepsMarkers = true;
  private db: LevelDbDatabase | null = null;

  readMarker(): string | null {
    return this.db?.readMarker() ?? null;
  }

  async writeMarker(id: string): Promise<void> {
    await this.db?.writeMarker(id);
  }

  protected async openSegments(context: StateStoreContext): Promise<Segments> {
    const { db, segments } = await openLevelDbSegments(context.taskDir, this.name, this.retentionMs, this.segmentIntervalMs);
    this.db = db;
    return segments;
  }

  protected async flushSegments(): Promise<void> {
    await this.db?.flush();
  }

  protected async closeSegments(): Promise<void> {
    const db = this.db;
    this.db = null;
    await db?.close();
  }
}
