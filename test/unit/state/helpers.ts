import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Serde } from '../../../lib/serde/types.js';
import type { ChangelogSink, RestoreRecord, StateStoreContext } from '../../../lib/state/types.js';

export const stringSerde: Serde<string> = {
  serialize: (v) => Buffer.from(v, 'utf8'),
  deserialize: (b) => b.toString('utf8'),
};

export const numberSerde: Serde<number> = {
  serialize: (v) => {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(v, 0);
    return b;
  },
  deserialize: (b) => b.readDoubleBE(0),
};

/** A changelog sink that records what it is given. */
export class RecordingSink implements ChangelogSink {
  readonly records: RestoreRecord[] = [];
  constructor(
    readonly topic = 'app-store-changelog',
    readonly partition = 0,
  ) {}
  log(key: Buffer, value: Buffer | null, timestamp: number): void {
    this.records.push({ key: Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp });
  }
}

export interface TestContext extends StateStoreContext {
  time: number;
  stream: number;
}

export function makeContext(taskDir: string, changelog: ChangelogSink | null = null): TestContext {
  const ctx: TestContext = {
    applicationId: 'app',
    taskId: '0_0',
    partition: 0,
    taskDir,
    changelog,
    time: 0,
    stream: -1,
    currentTimestamp: () => ctx.time,
    streamTime: () => ctx.stream,
  };
  return ctx;
}

/** A fresh temporary directory and its cleanup. */
export function tempDir(prefix = 'tributary-state-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
