import { describe, expect, it } from 'vitest';
import { closedPort, runBin } from './bin.js';

const bronze = 'topologies/transactions-bronze.ts';
const fixture = (f: string) => `test/integration/pipeline/fixtures/${f}`;

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): void {
  expect(stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('(run with --help'))).toHaveLength(1);
}

describe('tributary run / describe / demo: error paths', () => {
  it.each([
    ['run', ['run', bronze, '--embedded', '--bogus']],
    ['describe', ['describe', bronze, '--bogus']],
    ['demo', ['demo', '--bogus']],
  ])('%s: an unknown flag exits 2 and names it', async (_n, args) => {
    const r = await runBin(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
  });

  it.each([
    ['run --window', ['run', bronze, '--embedded', '--window', 'forever'], 'Invalid duration for --window: "forever"'],
    ['run --window 0', ['run', bronze, '--embedded', '--window', '0s'], 'Invalid duration for --window: "0s"'],
    ['run --connect-timeout', ['run', bronze, '--embedded', '--connect-timeout', '5 parsecs'], 'Invalid duration for --connect-timeout'],
    ['run --param watermark', ['run', bronze, '--embedded', '--param', 'watermark=soon'], 'Invalid duration for --param watermark: "soon"'],
    ['describe --window', ['describe', bronze, '--window', '-1m'], 'Invalid duration for --window'],
    ['demo --watermark', ['demo', '--watermark', '10 lightyears'], 'Invalid duration for --watermark: "10 lightyears"'],
    ['demo --window', ['demo', '--window', 'minute'], 'Invalid duration for --window: "minute"'],
  ])('%s: a bad duration exits 2 with the accepted forms', async (_n, args, message) => {
    const r = await runBin(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    oneLine(r.stderr);
  });

  it.each([
    [
      'run, no default export',
      ['run', fixture('no-default-export.ts'), '--embedded'],
      "exports no topology: it needs a default export (a Topology, or a function (options) => Topology); it exports only 'buildTopology'.",
    ],
    [
      'run, default is not a topology',
      ['run', fixture('default-not-topology.ts'), '--embedded'],
      'exports no topology: its default export is an object with keys name, version',
    ],
    ['describe, no default export', ['describe', fixture('no-default-export.ts')], 'exports no topology'],
    ['run, missing file', ['run', 'topologies/does-not-exist.ts', '--embedded'], 'Topology file not found: topologies/does-not-exist.ts'],
    ['run, unknown param', ['run', bronze, '--embedded', '--param', 'nope=1'], "Unknown --param 'nope'"],
  ])('%s: exits 2 with a clear message', async (_n, args, message) => {
    const r = await runBin(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    oneLine(r.stderr);
  });

  it('run without any broker says how to give one', async () => {
    const r = await runBin(['run', bronze]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No Kafka broker given: pass --bootstrap-servers host:port or set KAFKA_BOOTSTRAP_SERVERS, or use --embedded');
  });

  it.each([
    ['run', ['run', bronze]],
    ['demo', ['demo']],
  ])(
    '%s: an unreachable broker fails clearly within 30 s',
    async (_n, args) => {
      const port = await closedPort();
      const r = await runBin([...args, '--bootstrap-servers', `127.0.0.1:${port}`]);
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(30_000);
      expect(r.stderr).toContain(`Cannot reach a Kafka broker at 127.0.0.1:${port} (127.0.0.1:${port}: connection refused`);
      expect(r.stderr).toContain('npm run broker');
      oneLine(r.stderr);
    },
    40_000,
  );

  it('run --embedded starts, reports, and stops cleanly on SIGINT with exit 0', async () => {
    const { startBin } = await import('./bin.js');
    const app = startBin([
      'run',
      bronze,
      '--embedded',
      '--data-dir',
      `/tmp/tributary-embedded-${process.pid}`,
      '--progress-interval',
      '200ms',
      '--state-dir',
      `/tmp/tributary-embedded-state-${process.pid}`,
    ]);
    const deadline = Date.now() + 30_000;
    while (!app.stdout().includes('"event":"progress"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    app.child.kill('SIGINT');
    const r = await app.exited;
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events[0]).toBe('starting');
    expect(events).toContain('running');
    expect(events).toContain('progress');
    expect(events.slice(-2)).toEqual(['stopping', 'stopped']);
  }, 40_000);
});
