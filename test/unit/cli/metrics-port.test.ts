/**
 * `--metrics-port` / `--ui` configuration errors fail at start (exit 2) with a message saying
 * what to change: a port that is not a number in range, a port already in use.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { runCli } from '../../../lib/cli/main.js';
import { TributaryMetrics } from '../../../lib/observability/collector.js';
import { startMetricsServer } from '../../../lib/observability/server.js';
import { captureContext } from './capture.js';

describe('--metrics-port', () => {
  it('rejects a port that is not a number in 0-65535 for run and demo (exit 2, names the flag)', async () => {
    for (const argv of [
      ['run', 'topologies/transactions-bronze.ts', '--embedded', '--metrics-port', 'abc'],
      ['run', 'topologies/transactions-bronze.ts', '--embedded', '--metrics-port', '70000'],
      ['demo', '--embedded', '--metrics-port', '-1'],
    ]) {
      const ctx = captureContext();
      expect(await runCli(argv, ctx)).toBe(2);
      expect(ctx.err()).toContain('--metrics-port');
    }
  });

  it('a port in use is a ConfigError that says to choose another --metrics-port', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as AddressInfo).port;
    try {
      const error = await startMetricsServer({ metrics: new TributaryMetrics({ defaultMetrics: false }), port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(`Metrics port ${port} on 127.0.0.1 is in use: choose another --metrics-port.`);
    } finally {
      busy.close();
    }
  });
});
