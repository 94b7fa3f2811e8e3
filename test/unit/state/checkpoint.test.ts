import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointOffset, openTaskState, readCheckpoint, readTaskCheckpoint, writeCheckpoint } from '../../../lib/state/checkpoint.js';
import { QueryableStores } from '../../../lib/state/queryable.js';
import { Stores } from '../../../lib/state/stores.js';
import { makeContext, stringSerde, tempDir } from './helpers.js';

describe('checkpoint file', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
  });

  it('round-trips offsets and leaves no temp file', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    expect(await readCheckpoint(dir)).toBeNull();
    await writeCheckpoint(dir, [{ topic: 'app-s-changelog', partition: 3, offset: 42 }]);
    const cp = await readCheckpoint(dir);
    expect(checkpointOffset(cp, 'app-s-changelog', 3)).toBe(42);
    expect(checkpointOffset(cp, 'app-s-changelog', 2)).toBeUndefined();
    expect(readdirSync(dir)).toEqual(['.checkpoint']);
  });

  it('under exactly-once wipes data without a checkpoint, and consumes a checkpoint at open', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    mkdirSync(join(dir, 'store'));
    writeFileSync(join(dir, 'store', 'x'), 'data');
    expect(await openTaskState(dir, true)).toMatchObject({ checkpoint: null, wiped: true });
    expect(readdirSync(dir)).toEqual([]);
    await writeCheckpoint(dir, [{ topic: 't', partition: 0, offset: 7 }]);
    const opened = await openTaskState(dir, true);
    expect(checkpointOffset(opened.checkpoint, 't', 0)).toBe(7);
    expect(existsSync(join(dir, '.checkpoint'))).toBe(false);
    // At-least-once keeps both.
    await writeCheckpoint(dir, [{ topic: 't', partition: 0, offset: 9 }]);
    expect(checkpointOffset((await openTaskState(dir, false)).checkpoint, 't', 0)).toBe(9);
    expect(existsSync(join(dir, '.checkpoint'))).toBe(true);
  });

  it('records store markers (version 2) and reads version 1 files as without markers', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    await writeCheckpoint(dir, [{ topic: 't', partition: 0, offset: 7 }], { counts: 'm-1' });
    expect((await readTaskCheckpoint(dir))?.markers).toEqual(new Map([['counts', 'm-1']]));
    writeFileSync(join(dir, '.checkpoint'), JSON.stringify({ version: 1, offsets: [{ topic: 't', partition: 0, offset: 3 }] }));
    const v1 = await readTaskCheckpoint(dir);
    expect(checkpointOffset(v1!.offsets, 't', 0)).toBe(3);
    expect(v1!.markers.size).toBe(0);
  });

  it('a corrupt checkpoint wipes the task state under both guarantees, saying why', async () => {
    for (const eos of [true, false]) {
      const { dir, cleanup } = tempDir();
      cleanups.push(cleanup);
      mkdirSync(join(dir, 'store'));
      writeFileSync(join(dir, '.checkpoint'), 'not json');
      const opened = await openTaskState(dir, eos);
      expect(opened).toMatchObject({ checkpoint: null, wiped: true });
      expect(opened.reason).toMatch(/^corrupt checkpoint file .*\.checkpoint: .*; wiped the task's state to restore it from the changelogs$/);
      expect(readdirSync(dir)).toEqual([]);
    }
  });
});

describe('interactive-query views', () => {
  it('answer across local tasks and fail with STORE_NOT_AVAILABLE while restoring or when absent', async () => {
    const q = new QueryableStores();
    expect(() => q.keyValueStore<string, string>('s').get('a')).toThrow(expect.objectContaining({ code: 'STORE_NOT_AVAILABLE' }));
    const stores = [0, 1].map(() => Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), stringSerde, stringSerde).withLoggingDisabled().build());
    const { dir, cleanup } = tempDir();
    try {
      for (const s of stores) await s.init(makeContext(dir));
      stores[0]!.put('a', '1');
      stores[1]!.put('b', '2');
      q.register('0_0', stores[0]!);
      q.register('0_1', stores[1]!, 'running');
      const view = q.keyValueStore<string, string>('s');
      expect(() => view.get('a')).toThrow(/still restoring/);
      q.setStatus('0_0', 's', 'running');
      expect(view.get('b')).toBe('2');
      expect(
        view
          .all()
          .map((e) => e.key)
          .sort(),
      ).toEqual(['a', 'b']);
      expect(view.approximateNumEntries()).toBe(2);
      q.unregister('0_0');
      expect(view.get('a')).toBeUndefined();
    } finally {
      cleanup();
    }
  });
});
