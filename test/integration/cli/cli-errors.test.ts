import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';

function runBin(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/tributary.js', ...args], {
      env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

/** A 127.0.0.1 port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('bin/tributary.js error paths', () => {
  it('exits 2 with a clear message on an unknown flag', async () => {
    const r = await runBin(['reset', 'app', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--force'");
  });

  it('exits 2 on a bad duration and a bad bootstrap address', async () => {
    const d = await runBin(['produce', 'transactions', '--bootstrap-servers', '127.0.0.1:9092', '--continuous', '--duration', 'forever']);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('Invalid duration for --duration: "forever"');
    const b = await runBin(['produce', 'transactions', '--bootstrap-servers', '127.0.0.1']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('Invalid --bootstrap-servers');
  });

  it.each([
    ['produce', ['produce', 'transactions']],
    ['reset', ['reset', 'some-app', '--yes']],
  ])(
    '%s: an unreachable broker fails clearly within 30 s',
    async (_name, args) => {
      const port = await closedPort();
      const r = await runBin([...args, '--bootstrap-servers', `127.0.0.1:${port}`]);
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(30_000);
      expect(r.stderr).toContain(`Cannot reach a Kafka broker at 127.0.0.1:${port}`);
      expect(r.stderr).toContain('connection refused');
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1); // one line, no stack trace
    },
    40_000,
  );

  it('gives up within the deadline when the port accepts connections but never speaks Kafka', async () => {
    const server = createServer(() => {}); // accepts and stays silent
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await runBin(['produce', 'transactions', '--bootstrap-servers', `127.0.0.1:${port}`]);
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(30_000);
      expect(r.stderr).toContain(`Cannot connect to the Kafka broker at 127.0.0.1:${port} over PLAINTEXT: no answer to an ApiVersions request`);
    } finally {
      server.close();
    }
  }, 40_000);
});
