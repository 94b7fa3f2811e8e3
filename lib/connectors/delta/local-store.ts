/**
 * A table on the local file system. `putIfAbsent` writes a temp file, syncs it and `link`s it to
 * the final name (EEXIST = the name is taken); `write` goes through temp file + rename.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TributaryError } from '../../errors.js';
import type { TableStore } from './object-store.js';

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

export class LocalTableStore implements TableStore {
  readonly remote = false;
  private readonly root: string;

  constructor(readonly location: string) {
    this.root = path.resolve(location);
  }

  private full(rel: string): string {
    return path.join(this.root, rel);
  }

  describe(rel: string): string {
    return this.full(rel);
  }

  async read(rel: string): Promise<Uint8Array> {
    try {
      return await fs.readFile(this.full(rel));
    } catch (err) {
      throw new TributaryError(`cannot read ${this.full(rel)}`, {
        code: 'DELTA',
        cause: err,
        retriable: !isMissing(err),
        context: { table: this.location, missing: isMissing(err) },
      });
    }
  }

  async readIfExists(rel: string): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(this.full(rel));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new TributaryError(`cannot read ${this.full(rel)}`, { code: 'DELTA', cause: err, retriable: true, context: { table: this.location } });
    }
  }

  async write(rel: string, data: Uint8Array | string): Promise<void> {
    const file = this.full(rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  }

  async putIfAbsent(rel: string, data: Uint8Array | string): Promise<boolean> {
    const file = this.full(rel);
    const dir = path.dirname(file);
    await fs.mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `_commit_${randomUUID()}.tmp`);
    const fh = await fs.open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fs.link(tmp, file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new TributaryError(`cannot create ${file}`, { code: 'DELTA', cause: err, retriable: true, context: { table: this.location } });
    } finally {
      await fs.unlink(tmp).catch(() => undefined);
    }
  }

  async list(relDir: string): Promise<string[]> {
    try {
      return await fs.readdir(this.full(relDir));
    } catch (err) {
      if (isMissing(err)) return [];
      throw new TributaryError(`cannot list ${this.full(relDir)}`, { code: 'DELTA', cause: err, retriable: true, context: { table: this.location } });
    }
  }

  async delete(rel: string): Promise<void> {
    await fs.unlink(this.full(rel)).catch((err: unknown) => {
      if (!isMissing(err)) throw err;
    });
  }

  async prepare(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
  }
}
