import type { KeyValue, RestorableStore, RestoreRecord, SessionStore, StateStoreContext, StreamTimeKeepingStore, Windowed } from '../types.js';
import { keyBytes, keyString } from './bytes.js';
import { SegmentedStore } from './segmented-store.js';
import { MAX_TIME, SESSION_SUFFIX, sessionKeyParts, timeAt, timeString } from './window-key-schema.js';

export interface SessionBytesStore extends SessionStore<Buffer, Buffer>, RestorableStore, StreamTimeKeepingStore {
  /** A null value removes the session. */
  put(session: Windowed<Buffer>, value: Buffer | null): void;
}

const MAX_TIME_STR = timeString(MAX_TIME);
const ZERO_TIME_STR = timeString(0);

/**
 * Segmented session store over `ByteTable`s. Keys are `[key][8-byte end][8-byte start]`,
 * segmented by session end, so `findSessions(key, earliestEnd, ...)` is one index scan per live
 * segment from `segmentId(earliestEnd)` on. Expiry: sessions with `end < observed - retention + 1`.
 */
export abstract class SegmentedSessionStore extends SegmentedStore implements SessionBytesStore {
  async init(context: StateStoreContext): Promise<void> {
    const segments = await this.openSegments(context);
    let maxEnd = -1;
    for (const [, table] of segments.all()) {
      for (const k of table.keys(null, null, false)) maxEnd = Math.max(maxEnd, timeAt(k, SESSION_SUFFIX));
    }
    segments.observe(maxEnd);
    this.segments = segments;
  }

  private write(k: string, end: number, value: Buffer | null): void {
    const s = this.s;
    s.observe(end);
    if (end < s.minLiveTime()) return;
    const table = s.getOrCreate(s.segmentId(end));
    if (value === null) table.delete(k);
    else table.put(k, value);
  }

  private static composite(key: Buffer, start: number, end: number): string {
    return keyString(key) + timeString(end) + timeString(start);
  }

  put(session: Windowed<Buffer>, value: Buffer | null): void {
    this.write(SegmentedSessionStore.composite(session.key, session.window.start, session.window.end), session.window.end, value);
  }

  remove(session: Windowed<Buffer>): void {
    this.put(session, null);
  }

  fetchSession(key: Buffer, sessionStart: number, sessionEnd: number): Buffer | undefined {
    const s = this.s;
    if (sessionEnd < s.minLiveTime()) return undefined;
    return s.get(s.segmentId(sessionEnd))?.get(SegmentedSessionStore.composite(key, sessionStart, sessionEnd));
  }

  findSessions(key: Buffer, earliestSessionEnd: number, latestSessionStart: number): KeyValue<Windowed<Buffer>, Buffer>[] {
    const s = this.s;
    const out: KeyValue<Windowed<Buffer>, Buffer>[] = [];
    const from = Math.max(earliestSessionEnd, s.minLiveTime(), 0);
    const ks = keyString(key);
    const lo = ks + timeString(from) + ZERO_TIME_STR;
    const hi = ks + MAX_TIME_STR + MAX_TIME_STR;
    const len = ks.length + SESSION_SUFFIX;
    for (const [, table] of s.inRange(s.segmentId(from), Number.MAX_SAFE_INTEGER)) {
      table.scan(lo, hi, false, (k, v) => {
        if (k.length !== len) return;
        const start = timeAt(k, 8);
        if (start > latestSessionStart) return;
        out.push({ key: { key, window: { start, end: timeAt(k, SESSION_SUFFIX) } }, value: v });
      });
    }
    return out;
  }

  fetch(key: Buffer): KeyValue<Windowed<Buffer>, Buffer>[] {
    return this.findSessions(key, 0, MAX_TIME);
  }

  /** Every live session of every key, by segment then key bytes. */
  all(): KeyValue<Windowed<Buffer>, Buffer>[] {
    const s = this.s;
    const min = s.minLiveTime();
    const out: KeyValue<Windowed<Buffer>, Buffer>[] = [];
    for (const [, table] of s.all()) {
      table.scan(null, null, false, (k, v) => {
        const end = timeAt(k, SESSION_SUFFIX);
        if (end < min) return;
        out.push({ key: { key: keyBytes(k.slice(0, k.length - SESSION_SUFFIX)), window: { start: timeAt(k, 8), end } }, value: v });
      });
    }
    return out;
  }

  get segmentCount(): number {
    return this.s.segmentCount;
  }

  async restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    for (const r of records) {
      const { end } = sessionKeyParts(r.key);
      this.write(keyString(r.key), end, r.value);
    }
    await this.flushSegments();
  }
}
