/** Runs `bin/tributary.js` as a child process (the way users do) and collects its output. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = resolve(ROOT, 'bin/tributary.js');

export interface BinResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunningBin {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<BinResult>;
}

export function startBin(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): RunningBin {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<BinResult>((done) => child.on('close', (code) => done({ code, stdout, stderr, ms: Date.now() - started })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

export function runBin(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<BinResult> {
  return startBin(args, options).exited;
}

/** A 127.0.0.1 port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
