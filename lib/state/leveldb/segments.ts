import { join } from 'node:path';
import { Segments } from '../internal/segments.js';
import { LevelDbDatabase } from './database.js';

/** Latin1 prefix of a segment: its id as 8 bytes big-endian. */
export function segmentPrefix(segmentId: number): string {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(Math.floor(segmentId / 0x1_0000_0000), 0);
  b.writeUInt32BE(segmentId >>> 0, 4);
  return b.toString('latin1');
}

/**
 * Opens the LevelDB database of a segmented store and adopts its segments. All segments share
 * ONE database, each under its 8-byte id prefix, so one commit is one write batch and dropping
 * a segment is one `clear({gte,lt})` over its key range. (One database per segment would need
 * an async open on the synchronous put path when a new segment starts, and a batch per segment.)
 */
export async function openLevelDbSegments(
  taskDir: string,
  name: string,
  retentionMs: number,
  segmentIntervalMs: number,
): Promise<{ db: LevelDbDatabase; segments: Segments }> {
  const db = await LevelDbDatabase.open(join(taskDir, name), name);
  const segments = new Segments(retentionMs, segmentIntervalMs, (id) => db.table(segmentPrefix(id)));
  const keys = await loadKeysOrClose(db);
  let i = 0;
  while (i < keys.length) {
    const prefix = keys[i]!.slice(0, 8);
    const group: string[] = [];
    while (i < keys.length && keys[i]!.startsWith(prefix)) group.push(keys[i++]!.slice(8));
    const id = Buffer.from(prefix, 'latin1');
    segments.adopt(id.readUInt32BE(0) * 0x1_0000_0000 + id.readUInt32BE(4), db.table(prefix, group));
  }
  return { db, segments };
}

/**
 * The keys of a just-opened database; closes it when they cannot be read (a truncated or corrupt
 * log), so that the caller can wipe the directory and open it again in this process (LevelDB's
 * lock is per open handle: an abandoned handle makes the next open fail).
 */
export async function loadKeysOrClose(db: LevelDbDatabase): Promise<string[]> {
  try {
    return await db.loadKeys();
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
