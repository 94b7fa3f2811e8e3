import { defineConfig } from 'vitest/config';

/**
 * Two projects over one broker (test/global-setup.ts starts it once; the later calls find it in
 * the env and share it):
 * - `conformance` first, two files at a time: the Kafka seam conformance suites mostly wait on the
 *   broker (each file takes as long beside another one as alone, measured on a 2-core machine
 *   under load). `TRIBUTARY_CONFORMANCE_WORKERS=1` runs them one at a time.
 * - `suite`, then: every other file, with vitest's default workers (CPUs - 1: one at a time on a
 *   2-core machine). Running those two at a time there made the run slower, not faster: most of
 *   them are CPU-bound (child processes under tsx, JVMs, property tests).
 */
const CONFORMANCE = ['test/conformance/**/*.test.ts'];
const conformanceWorkers = Number(process.env['TRIBUTARY_CONFORMANCE_WORKERS'] ?? 3);

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'conformance', include: CONFORMANCE, maxWorkers: conformanceWorkers, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: CONFORMANCE, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
