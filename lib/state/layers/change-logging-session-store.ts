import type { ChangelogSink, KeyValue, RestoreRecord, StateStoreContext, Windowed } from '../types.js';
import type { SessionBytesStore } from '../internal/segmented-session-store.js';
import { sessionKey } from '../internal/window-key-schema.js';
import { WindowedStoreLayer } from './windowed-store-layer.js';

/** Change-logging layer of a session stack: logs `[key][end][start]` → value (null on remove). */
export class ChangeLoggingSessionStore extends WindowedStoreLayer<SessionBytesStore> implements SessionBytesStore {
  private sink: ChangelogSink | null = null;
  private context: StateStoreContext | null = null;

  async init(context: StateStoreContext): Promise<void> {
    this.context = context;
    this.sink = context.changelog;
    await this.inner.init(context);
  }

  put(session: Windowed<Buffer>, value: Buffer | null): void {
    this.inner.put(session, value);
    this.sink?.log(sessionKey(session.key, session.window.start, session.window.end), value, this.context!.currentTimestamp());
  }

  remove(session: Windowed<Buffer>): void {
    this.put(session, null);
  }

  findSessions(key: Buffer, earliestSessionEnd: number, latestSessionStart: number): KeyValue<Windowed<Buffer>, Buffer>[] {
    return this.inner.findSessions(key, earliestSessionEnd, latestSessionStart);
  }
  fetchSession(key: Buffer, sessionStart: number, sessionEnd: number): Buffer | undefined {
    return this.inner.fetchSession(key, sessionStart, sessionEnd);
  }
  fetch(key: Buffer): KeyValue<Windowed<Buffer>, Buffer>[] {
    return this.inner.fetch(key);
  }
  restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    return this.inner.restoreBatch(records);
  }
}
