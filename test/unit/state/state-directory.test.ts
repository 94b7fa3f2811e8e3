import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateDirectory } from '../../../lib/state/state-directory.js';
import { tempDir } from './helpers.js';

/** Runs a child that takes the lock, prints "locked", and holds it until stdin closes. */
function lockInChild(stateDir: string): Promise<{ pid: number; release: () => Promise<void> }> {
  const script = `
    import { StateDirectory } from ${JSON.stringify(new URL('../../../lib/state/state-directory.ts', import.meta.url).pathname)};
    StateDirectory.lock(${JSON.stringify(stateDir)}, 'app');
    process.stdout.write('locked\\n');
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    child.stdout.on('data', (d: Buffer) => {
      if (!d.toString().includes('locked')) return;
      child.removeAllListeners('exit');
      resolve({
        pid: child.pid!,
        release: () =>
          new Promise<void>((r) => {
            child.on('exit', () => r());
            child.stdin.end();
          }),
      });
    });
  });
}

describe('state directory lock', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
  });

  it('a second process fails at once naming the lock file and the owner pid; the lock is free after it exits', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const child = await lockInChild(dir);
    const lockFile = join(dir, 'app', '.lock');
    let err: unknown;
    try {
      StateDirectory.lock(dir, 'app');
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string }).code).toBe('STATE_LOCKED');
    expect(String((err as Error).message)).toContain(lockFile);
    expect(String((err as Error).message)).toContain(String(child.pid));
    await child.release();
    expect(existsSync(lockFile)).toBe(false);
    const sd = StateDirectory.lock(dir, 'app');
    expect(sd.taskDir('0_1')).toBe(join(dir, 'app', '0_1'));
    sd.release();
  }, 30_000);

  it('takes over a stale lock left by a dead process', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    mkdirSync(join(dir, 'app'), { recursive: true });
    // pid 2^22 + 1 exceeds the default pid_max, so it cannot be alive.
    writeFileSync(join(dir, 'app', '.lock'), JSON.stringify({ pid: 4194305, host: 'x', acquiredAt: 'then' }));
    const sd = StateDirectory.lock(dir, 'app');
    expect(JSON.parse(readFileSync(join(dir, 'app', '.lock'), 'utf8')).pid).toBe(process.pid);
    expect(() => StateDirectory.lock(dir, 'app')).toThrow(/already locked by this process/);
    sd.release();
  });

  it('an unusable state dir (a file in the way, not writable) fails with a TributaryError naming it and the remedy, not a bare errno (#19)', () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, 'file'), 'x');
      const stateDir = join(dir, 'file');
      expect(() => StateDirectory.lock(stateDir, 'app')).toThrow(
        expect.objectContaining({
          code: 'STATE',
          message: expect.stringMatching(
            new RegExp(
              `^cannot use the state directory ${stateDir}: creating or writing ${stateDir}/app failed \\(ENOTDIR: .*\\)\\. Make it writable by this user, or point stateDir \\(--state-dir\\) at a writable directory\\.`,
            ),
          ),
        }),
      );
    } finally {
      cleanup();
    }
  });
});
