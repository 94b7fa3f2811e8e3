/**
 * Interactive queries: read-only views of the local stores by name. A view spans every local task
 * holding a store of that name (partitions are disjoint by key). Each call checks availability:
 * while any of those stores is restoring, or when no local task has the store, it throws
 * `STORE_NOT_AVAILABLE` (retriable: retry, or ask the instance that `metadataForKey` names).
 */
import { TributaryError } from '../errors.js';
import type { KeyValue, ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore, StateStore, Windowed } from './types.js';

export type StoreStatus = 'restoring' | 'running';

interface Entry {
  readonly store: StateStore;
  status: StoreStatus;
}

/** Registry the runtime keeps current: stores appear when a task is created and leave when it closes. */
export class QueryableStores {
  private readonly byName = new Map<string, Map<string, Entry>>();

  register(taskId: string, store: StateStore, status: StoreStatus = 'restoring'): void {
    let tasks = this.byName.get(store.name);
    if (!tasks) this.byName.set(store.name, (tasks = new Map()));
    tasks.set(taskId, { store, status });
  }

  setStatus(taskId: string, storeName: string, status: StoreStatus): void {
    const e = this.byName.get(storeName)?.get(taskId);
    if (e) e.status = status;
  }

  /** Removes one store of a task, or all of the task's stores. */
  unregister(taskId: string, storeName?: string): void {
    for (const [name, tasks] of this.byName) {
      if (storeName !== undefined && name !== storeName) continue;
      tasks.delete(taskId);
      if (tasks.size === 0) this.byName.delete(name);
    }
  }

  private stores<S>(name: string): S[] {
    const tasks = this.byName.get(name);
    if (!tasks || tasks.size === 0) {
      throw new TributaryError(`store ${name} is not available on this instance: no local task hosts it (not local, or not assigned yet)`, {
        code: 'STORE_NOT_AVAILABLE',
        retriable: true,
        context: { store: name },
      });
    }
    const out: S[] = [];
    for (const [taskId, e] of tasks) {
      if (e.status !== 'running' || !e.store.isOpen) {
        throw new TributaryError(`store ${name} is not available: task ${taskId} is still restoring it`, {
          code: 'STORE_NOT_AVAILABLE',
          retriable: true,
          context: { store: name, taskId },
        });
      }
      out.push(e.store as S);
    }
    return out;
  }

  keyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    const all = () => this.stores<ReadOnlyKeyValueStore<K, V>>(name);
    return {
      get(key: K): V | undefined {
        for (const s of all()) {
          const v = s.get(key);
          if (v !== undefined) return v;
        }
        return undefined;
      },
      range: (from: K, to: K): KeyValue<K, V>[] => all().flatMap((s) => s.range(from, to)),
      all: (): KeyValue<K, V>[] => all().flatMap((s) => s.all()),
      approximateNumEntries: (): number => all().reduce((n, s) => n + s.approximateNumEntries(), 0),
    };
  }

  windowStore<K, V>(name: string): ReadOnlyWindowStore<K, V> {
    const all = () => this.stores<ReadOnlyWindowStore<K, V>>(name);
    return {
      fetch(key: K, windowStart: number): V | undefined {
        for (const s of all()) {
          const v = s.fetch(key, windowStart);
          if (v !== undefined) return v;
        }
        return undefined;
      },
      fetchRange: (key: K, from: number, to: number): KeyValue<number, V>[] => {
        for (const s of all()) {
          const r = s.fetchRange(key, from, to);
          if (r.length > 0) return r;
        }
        return [];
      },
      fetchAll: (from: number, to: number): KeyValue<Windowed<K>, V>[] => all().flatMap((s) => s.fetchAll(from, to)),
      all: (): KeyValue<Windowed<K>, V>[] => all().flatMap((s) => s.all()),
    };
  }

  sessionStore<K, V>(name: string): ReadOnlySessionStore<K, V> {
    const all = () => this.stores<ReadOnlySessionStore<K, V>>(name);
    return {
      findSessions: (key: K, earliestEnd: number, latestStart: number) => {
        for (const s of all()) {
          const r = s.findSessions(key, earliestEnd, latestStart);
          if (r.length > 0) return r;
        }
        return [];
      },
      fetchSession(key: K, start: number, end: number): V | undefined {
        for (const s of all()) {
          const v = s.fetchSession(key, start, end);
          if (v !== undefined) return v;
        }
        return undefined;
      },
      fetch: (key: K) => {
        for (const s of all()) {
          const r = s.fetch(key);
          if (r.length > 0) return r;
        }
        return [];
      },
    };
  }
}
