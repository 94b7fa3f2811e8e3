import { ClassicLevel } from 'classic-level';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LevelDbDatabase } from '../../../lib/state/leveldb/database.js';
import { keyIndexParkedAt } from '../../../lib/state/leveldb/parked-key-index.js';
import { Stores } from '../../../lib/state/stores.js';
import { makeContext, RecordingSink, stringSerde, tempDir } from './helpers.js';

describe('LevelDB key index handed to the next open of a closed store', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    vi.restoreAllMocks();
    while (cleanups.length) cleanups.pop()!();
  });

  function setup() {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const ctx = makeContext(dir, new RecordingSink());
    const build = () => Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), stringSerde, stringSerde).build();
    return { ctx, dir, build };
  }

  async function fill(store: ReturnType<ReturnType<typeof setup>['build']>, n: number, marker: string | null): Promise<void> {
    for (let i = 0; i < n; i++) store.put(`k${String(i).padStart(4, '0')}`, String(i));
    await store.flush();
    if (marker !== null) await store.writeMarker(marker);
    await store.close();
  }

  it('a store closed with a marker reopens without reading its keys, and holds exactly what it held', async () => {
    const { ctx, build } = setup();
    const a = build();
    await a.init(ctx);
    await fill(a, 500, 'm1');
    expect(keyIndexParkedAt(join(ctx.taskDir, 'counts'))).toBe(true);
    const loads = vi.spyOn(LevelDbDatabase.prototype, 'loadKeys');
    const b = build();
    await b.init(ctx);
    expect(loads).not.toHaveBeenCalled();
    expect(keyIndexParkedAt(join(ctx.taskDir, 'counts'))).toBe(false);
    expect(b.approximateNumEntries()).toBe(500);
    expect(b.get('k0007')).toBe('7');
    expect([...b.range('k0100', 'k0102')].map((e) => e.key)).toEqual(['k0100', 'k0101', 'k0102']);
    b.put('zz', 'new');
    b.delete('k0000');
    await b.flush();
    await b.writeMarker('m2');
    await b.close();
    // Reopened once more from the parked index: the writes of the second life are in it.
    const c = build();
    await c.init(ctx);
    expect(loads).not.toHaveBeenCalled();
    expect(c.get('zz')).toBe('new');
    expect(c.get('k0000')).toBeUndefined();
    expect([...c.all()].length).toBe(500);
    await c.close();
  });

  it('a store changed on disk after its close (another writer, a damaged or replaced directory) reads its keys again', async () => {
    const { ctx, dir, build } = setup();
    const a = build();
    await a.init(ctx);
    await fill(a, 50, 'm1');
    expect(keyIndexParkedAt(join(ctx.taskDir, 'counts'))).toBe(true);
    // Another handle writes a key the parked index does not have; the marker stays the same.
    const raw = new ClassicLevel<Buffer, Buffer>(join(ctx.taskDir, 'counts'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await raw.open();
    await raw.put(Buffer.from('k9999'), Buffer.from('"x"'));
    await raw.close();
    const loads = vi.spyOn(LevelDbDatabase.prototype, 'loadKeys');
    const b = build();
    await b.init(ctx);
    expect(loads).toHaveBeenCalledTimes(1);
    expect([...b.all()].map((e) => e.key)).toContain('k9999');
    await b.close();
    expect(dir).toBeTruthy();
  });

  it('no marker, nothing parked: the next open reads the keys', async () => {
    const { ctx, build } = setup();
    const a = build();
    await a.init(ctx);
    await fill(a, 20, null);
    expect(keyIndexParkedAt(join(ctx.taskDir, 'counts'))).toBe(false);
    const loads = vi.spyOn(LevelDbDatabase.prototype, 'loadKeys');
    const b = build();
    await b.init(ctx);
    expect(loads).toHaveBeenCalledTimes(1);
    expect([...b.all()].length).toBe(20);
    await b.close();
  });
});
