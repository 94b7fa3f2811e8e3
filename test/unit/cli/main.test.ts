import { describe, expect, it } from 'vitest';
import { EXIT_OK, EXIT_USAGE, runCli } from '../../../lib/cli/main.js';
import { captureContext } from './capture.js';

async function cli(args: string[], env: Record<string, string> = {}) {
  const ctx = captureContext({ env });
  const code = await runCli(args, ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

describe('tributary CLI', () => {
  it('prints the version and help', async () => {
    const version = await cli(['--version']);
    expect(version).toMatchObject({ code: EXIT_OK });
    expect(version.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await cli(['--help']);
    expect(help.code).toBe(EXIT_OK);
    for (const command of ['run', 'describe', 'produce', 'reset', 'delta', 'demo']) expect(help.out).toContain(command);
  });

  it.each([
    ['run', '--help'],
    ['describe', '--help'],
    ['produce', 'transactions', '--help'],
    ['reset', '--help'],
    ['delta', 'optimize', '--help'],
    ['delta', 'vacuum', '--help'],
    ['demo', '--help'],
  ])('has --help on %s %s', async (...args) => {
    const r = await cli(args);
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toContain('Usage: tributary');
  });

  it('documents the run flags', async () => {
    const r = await cli(['run', '--help']);
    for (const flag of ['--bootstrap-servers', '--application-id', '--state-dir', '--processing-guarantee', '--embedded', '--window']) {
      expect(r.out).toContain(flag);
    }
  });

  it('rejects an unknown flag with a clear error and exit code 2', async () => {
    const r = await cli(['produce', 'transactions', '--num-transaction', '5']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toContain("unknown option '--num-transaction'");
    expect(r.err).toContain('--num-transactions'); // suggestion
  });

  it('rejects an unknown command and bad choices with exit code 2', async () => {
    expect((await cli(['frobnicate'])).code).toBe(EXIT_USAGE);
    const r = await cli(['run', 't.ts', '--embedded', '--processing-guarantee', 'maybe']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toContain('exactly_once');
  });

  it('rejects a bad duration naming the flag and the accepted forms', async () => {
    const r = await cli(['produce', 'transactions', '--bootstrap-servers', '127.0.0.1:9092', '--interval', 'often']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(/Invalid duration for --interval: "often"/);
    expect(r.err).toContain('"10 minutes"');
    const w = await cli(['run', 't.ts', '--embedded', '--window', '1 fortnight']);
    expect(w.code).toBe(EXIT_USAGE);
    expect(w.err).toMatch(/--window.*unknown unit "fortnight"/);
  });

  it('rejects a malformed --bootstrap-servers and a malformed env var', async () => {
    const r = await cli(['produce', 'transactions', '--bootstrap-servers', 'localhost']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(/Invalid --bootstrap-servers: "localhost".*host:port/);
    const e = await cli(['reset', 'app', '--yes'], { KAFKA_BOOTSTRAP_SERVERS: 'kafka:port' });
    expect(e.code).toBe(EXIT_USAGE);
    expect(e.err).toContain('Invalid KAFKA_BOOTSTRAP_SERVERS');
  });

  it('asks for a broker when none is given, and explains why --embedded does not apply to produce', async () => {
    const none = await cli(['produce', 'transactions']);
    expect(none.code).toBe(EXIT_USAGE);
    expect(none.err).toContain('No Kafka broker given');
    const embedded = await cli(['produce', 'transactions', '--embedded']);
    expect(embedded.code).toBe(EXIT_USAGE);
    expect(embedded.err).toContain('--embedded does not apply to `produce`');
  });

  it('rejects contradictory producer flags', async () => {
    const base = ['produce', 'transactions', '--bootstrap-servers', '127.0.0.1:9092'];
    expect((await cli([...base, '--continuous', '--num-transactions', '5'])).err).toContain('exclude each other');
    expect((await cli([...base, '--duration', '5'])).err).toContain('--duration only applies with --continuous');
    expect((await cli([...base, '--late-share', '0.7', '--malformed-share', '0.5'])).err).toContain('exceed 1');
  });

  it.each([
    [['run', 'topology.ts', '--embedded'], 'Topology file not found: topology.ts'],
    [['describe', 'topology.ts'], 'Topology file not found: topology.ts'],
  ])('%j names the missing topology file (usage error)', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toContain(message);
  });

  it('validates the application id of reset before connecting', async () => {
    const r = await cli(['reset', 'bad/id', '--bootstrap-servers', '127.0.0.1:9092']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toContain('Invalid application id');
  });
});
