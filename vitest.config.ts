import { defineConfig } from 'vitest/config';

/**
 * Three projects over one broker (test/global-setup.ts starts it once; the later calls find it in
 * the env and share it), run one after another:
 * - `conformance`, one file at a time by default (`TRIBUTARY_CONFORMANCE_WORKERS=3` runs three at a time: the Kafka seam conformance suites mostly wait on the
 *   broker (each file takes about as long beside two others as alone: 187 s one at a time, 74 s
 *   three at a time on a 2-core machine at load 2-4; but one CI run saw a platformatic column
 *   round-trip time out with three at a time, so CI keeps them serial).
 * - `unit`: unit and property tests without a fresh process per file (`isolate: false`: 178 s →
 *   99 s for 109 files; most of the difference was starting and importing per file). A test that
 *   leaks state into the next file shows up with `npx vitest run --isolate test/unit`.
 * - `suite`: every other file, with vitest's default workers (CPUs - 1: one at a time on a 2-core
 *   machine). Two at a time there made the run slower, not faster (130 files: 495 s one at a time
 *   in CI, 737 s two at a time): most of them are CPU-bound (child processes under tsx, JVMs).
 */
const CONFORMANCE = ['test/conformance/**/*.test.ts'];
const UNIT = ['test/unit/**/*.test.ts', 'test/property/**/*.test.ts'];
const conformanceWorkers = Number(process.env['TRIBUTARY_CONFORMANCE_WORKERS'] ?? 1);

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
        test: { name: 'unit', include: UNIT, isolate: false, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [...CONFORMANCE, ...UNIT], sequence: { groupOrder: 2 } },
      },
    ],
  },
});
