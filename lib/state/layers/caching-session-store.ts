import type { KeyValue, Windowed } from '../types.js';
import { keyString } from '../internal/bytes.js';
import type { SessionBytesStore } from '../internal/segmented-session-store.js';
import { MAX_TIME, SESSION_SUFFIX, sessionKey, sessionKeyParts, timeAt, timeString } from '../internal/window-key-schema.js';
import type { CacheEntry } from './record-cache.js';
import { CachingStoreLayer } from './caching-store-layer.js';

/**
 * Caching layer of a session stack: compacts updates per session `[key][end][start]` and writes
 * them down at flush/eviction; the listener receives that composite key.
 */
export class CachingSessionStore extends CachingStoreLayer<SessionBytesStore> implements SessionBytesStore {
  constructor(inner: SessionBytesStore, maxBytes: number) {
    super(inner, maxBytes, true);
  }

  get retentionMs(): number {
    return this.inner.retentionMs;
  }

  /** The backend's (cached puts not written down yet are not counted: read at operator init, when the cache is empty). */
  get observedStreamTime(): number {
    return this.inner.observedStreamTime;
  }

  protected override writeDown(e: CacheEntry): void {
    const { key, start, end } = sessionKeyParts(e.key);
    const listener = this.listener;
    const old = listener !== null && this.sendOldValues ? (this.inner.fetchSession(key, start, end) ?? null) : null;
    this.inner.put({ key, window: { start, end } }, e.value);
    if (listener !== null) listener(e.key, e.value, old, e.timestamp);
  }

  put(session: Windowed<Buffer>, value: Buffer | null): void {
    const composite = sessionKey(session.key, session.window.start, session.window.end);
    this.cache.put(keyString(composite), composite, value, true, this.context?.currentTimestamp() ?? -1);
  }

  remove(session: Windowed<Buffer>): void {
    this.put(session, null);
  }

  fetchSession(key: Buffer, sessionStart: number, sessionEnd: number): Buffer | undefined {
    const e = this.cache.get(keyString(key) + timeString(sessionEnd) + timeString(sessionStart));
    if (e !== undefined) return e.value ?? undefined;
    return this.inner.fetchSession(key, sessionStart, sessionEnd);
  }

  findSessions(key: Buffer, earliestSessionEnd: number, latestSessionStart: number): KeyValue<Windowed<Buffer>, Buffer>[] {
    const base = this.inner.findSessions(key, earliestSessionEnd, latestSessionStart);
    if (this.cache.dirtySize === 0) return base;
    const ks = keyString(key);
    const maxT = timeString(MAX_TIME);
    const cached = this.cache.keysInRange(ks + timeString(Math.max(0, earliestSessionEnd)) + timeString(0), ks + maxT + maxT);
    if (cached.length === 0) return base;
    const merged = new Map<string, Buffer | null>();
    for (const kv of base) merged.set(ks + timeString(kv.key.window.end) + timeString(kv.key.window.start), kv.value);
    const len = ks.length + SESSION_SUFFIX;
    for (const k of cached) {
      const e = this.cache.peek(k)!;
      if (!e.dirty || k.length !== len || timeAt(k, 8) > latestSessionStart) continue;
      merged.set(k, e.value);
    }
    const out: KeyValue<Windowed<Buffer>, Buffer>[] = [];
    for (const k of [...merged.keys()].sort()) {
      const v = merged.get(k)!;
      if (v !== null) out.push({ key: { key, window: { start: timeAt(k, 8), end: timeAt(k, SESSION_SUFFIX) } }, value: v });
    }
    return out;
  }

  fetch(key: Buffer): KeyValue<Windowed<Buffer>, Buffer>[] {
    return this.findSessions(key, 0, MAX_TIME);
  }
}
