/**
 * An S3-compatible server for tests: moto's server mode (`pip install 'moto[server]'`), started
 * on a free loopback port by the test file that needs it, one bucket per test. moto implements
 * conditional PUTs (`If-None-Match: *` → 412 when the key exists), which Delta commits rely on.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

export interface MotoServer {
  readonly endpoint: string;
  /** Process group of moto_server (for CPU accounting in benchmarks). */
  readonly pgid: number | undefined;
  /** Env for child processes and delta-rs (credentials are moto's dummies). */
  readonly env: Readonly<Record<string, string>>;
  /** delta-rs `storage_options` for this server. */
  readonly storageOptions: Readonly<Record<string, string>>;
  /** A fresh bucket; returns its name. */
  bucket(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const bin = process.env['MOTO_SERVER'] ?? 'moto_server';
  const proc: ChildProcess = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const err: string[] = [];
  proc.stderr!.on('data', (d: Buffer) => err.push(d.toString()));
  let exited = false;
  proc.on('exit', () => (exited = true));
  proc.on('error', (e) => err.push(String(e)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`moto_server exited (install it: pip install 'moto[server]'): ${err.join('')}`);
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.status < 500) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${err.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const storageOptions = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ALLOW_HTTP: 'true',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_VIRTUAL_HOSTED_STYLE_REQUEST: 'false',
    AWS_S3_ALLOW_UNSAFE_RENAME: 'true',
  };
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  return {
    endpoint,
    pgid: proc.pid,
    env,
    storageOptions,
    async bucket(prefix = 'tributary') {
      const name = `${prefix}-${randomUUID().slice(0, 12)}`.toLowerCase();
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    async stop() {
      client.destroy();
      if (!exited && proc.pid !== undefined) {
        try {
          process.kill(-proc.pid, 'SIGTERM');
        } catch {
          proc.kill('SIGTERM');
        }
      }
    },
  };
}

/** delta-rs (python deltalake) reads an S3 table: scripts/delta-readers/delta_rs_read.py output. */
export async function readS3WithDeltaRs(
  moto: MotoServer,
  table: string,
  appIds: string[] = [],
): Promise<{
  version: number;
  numFiles: number;
  rows: Record<string, unknown>[];
  txn: Record<string, number | null>;
  partitionColumns: string[];
}> {
  const args = [path.join(root, 'scripts/delta-readers/delta_rs_read.py'), table, ...appIds.flatMap((a) => ['--app-id', a])];
  try {
    const { stdout } = await run(process.env['PYTHON'] ?? 'python3', args, {
      maxBuffer: 512 * 1024 * 1024,
      env: { ...process.env, DELTA_RS_STORAGE_OPTIONS: JSON.stringify(moto.storageOptions) },
    });
    return JSON.parse(stdout);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`delta-rs failed to read ${table}: ${e.stderr ?? e.message}`, { cause: err });
  }
}
