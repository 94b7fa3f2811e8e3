/**
 * The state directory: `<stateDir>/<applicationId>/<taskId>/` holds each task's stores and its
 * `.checkpoint`. One process at a time owns an application directory, through the lock file
 * `<stateDir>/<applicationId>/.lock` (JSON with the owner's pid). A second process fails at once
 * with a message naming the lock file and the owner's pid; a lock left by a dead process is taken
 * over. The lock is created with an exclusive hard link, so exactly one contender wins.
 */
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TributaryError } from '../errors.js';
import { APPLICATION_ID_MAX_LENGTH, APPLICATION_ID_USE, checkName, nameProblem } from '../util/names.js';

export const LOCK_FILE = '.lock';

interface LockBody {
  readonly pid: number;
  readonly host: string;
  readonly acquiredAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockBody | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockBody;
  } catch {
    return null;
  }
}

/**
 * The error for a state directory that cannot be created or written (read-only file system, no
 * permission, a file in the way): names the directory, the system's reason and what to do.
 */
export function unusableStateDir(stateDir: string, dir: string, cause: unknown): TributaryError {
  const code = (cause as NodeJS.ErrnoException).code ?? 'error';
  const why = (cause as Error).message ?? String(cause);
  return new TributaryError(
    `cannot use the state directory ${stateDir}: creating or writing ${dir} failed (${code}: ${why}). ` +
      'Make it writable by this user, or point stateDir (--state-dir) at a writable directory.',
    { code: 'STATE', cause, context: { stateDir, errno: code } },
  );
}

export class StateDirectory {
  private locked = false;
  private readonly onExit = () => this.releaseSync();

  private constructor(
    readonly stateDir: string,
    readonly applicationId: string,
  ) {}

  /** `<stateDir>/<applicationId>`. */
  get appDir(): string {
    return join(this.stateDir, this.applicationId);
  }

  get lockPath(): string {
    return join(this.appDir, LOCK_FILE);
  }

  /** Creates the application directory and takes its lock; throws `STATE_LOCKED` if another live process holds it. */
  static lock(stateDir: string, applicationId: string): StateDirectory {
    checkName('applicationId', applicationId, { maxLength: APPLICATION_ID_MAX_LENGTH, usedFor: APPLICATION_ID_USE });
    const sd = new StateDirectory(stateDir, applicationId);
    sd.acquire();
    return sd;
  }

  private acquire(): void {
    const body: LockBody = { pid: process.pid, host: hostname(), acquiredAt: new Date().toISOString() };
    const tmp = `${this.lockPath}.${process.pid}.${Date.now()}`;
    try {
      mkdirSync(this.appDir, { recursive: true });
      writeFileSync(tmp, JSON.stringify(body));
    } catch (e) {
      throw unusableStateDir(this.stateDir, this.appDir, e);
    }
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          linkSync(tmp, this.lockPath);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw e;
          const owner = readLock(this.lockPath);
          if (owner !== null && owner.pid !== process.pid && alive(owner.pid)) {
            throw new TributaryError(
              `state directory ${this.appDir} is locked by process ${owner.pid} (lock file ${this.lockPath}); ` +
                'another instance of this application uses it — give each instance its own state dir',
              { code: 'STATE_LOCKED', context: { lockFile: this.lockPath, pid: owner.pid } },
            );
          }
          if (owner !== null && owner.pid === process.pid) {
            throw new TributaryError(`state directory ${this.appDir} is already locked by this process (lock file ${this.lockPath})`, {
              code: 'STATE_LOCKED',
              context: { lockFile: this.lockPath, pid: owner.pid },
            });
          }
          // Stale lock of a dead process (or unreadable): take it over.
          try {
            unlinkSync(this.lockPath);
          } catch (u) {
            if ((u as NodeJS.ErrnoException).code !== 'ENOENT') throw u;
          }
        }
      }
    } finally {
      unlinkSync(tmp);
    }
    this.locked = true;
    process.once('exit', this.onExit);
  }

  /** `<stateDir>/<applicationId>/<taskId>`, created if missing. */
  taskDir(taskId: string): string {
    if (!this.locked) throw new TributaryError('state directory is not locked', { code: 'ILLEGAL_STATE' });
    const problem = nameProblem(taskId);
    if (problem !== null) throw new TributaryError(`invalid task id for a directory name: ${JSON.stringify(taskId)}: ${problem}`, { code: 'ILLEGAL_STATE' });
    const dir = join(this.appDir, taskId);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  private releaseSync(): void {
    if (!this.locked) return;
    this.locked = false;
    const owner = readLock(this.lockPath);
    if (owner?.pid === process.pid) {
      try {
        unlinkSync(this.lockPath);
      } catch {
        // already gone
      }
    }
  }

  /** Releases the lock. */
  release(): void {
    process.removeListener('exit', this.onExit);
    this.releaseSync();
  }
}
