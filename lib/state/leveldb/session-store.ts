import type { StateStoreContext } from '../types.js';
import { SegmentedSessionStore } from '../internal/segmented-session-store.js';
import type { Segments } from '../internal/segments.js';
import type { LevelDbDatabase } from './database.js';
import { openLevelDbSegments } from './segments.js';

/** Persistent session store in LevelDB at `<taskDir>/<name>`; same segment layout as the window store. */
export class LevelDbSessionStore extends SegmentedSessionStore {
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
