import { defineConfig } from 'vitest/config';

/**
 * Files that run one at a time, after every other file: they kill and restart processes or
 * brokers, wait on consumer-group rebalances and session timeouts, or measure time or memory, so
 * they get the machine to themselves (on a 2-core machine, a second test file beside them is
 * what made such tests flaky before).
 */
const SERIAL = [
  'test/chaos/**/*.test.ts',
  'test/integration/eos/**/*.test.ts',
  'test/integration/delta-eos/**/*.test.ts',
  'test/integration/delta-source/**/*.test.ts',
  'test/integration/s3/**/*.test.ts',
  'test/integration/kafka/**/*.test.ts',
  'test/integration/runtime/**/*.test.ts',
  'test/integration/harness/**/*.test.ts',
  'test/integration/observability/**/*.test.ts',
  'test/integration/cli/run-processes.test.ts',
  'test/integration/pipeline/demo.test.ts',
  'test/integration/pipeline/run-real-broker.test.ts',
];

/**
 * Two projects over one broker (test/global-setup.ts starts it once; the later calls find it in
 * the env). `parallel` first, two files at a time: unit, property and type-level tests, and the
 * broker tests that mostly wait on the broker (conformance suites, CLI error paths, security, Delta
 * readers); then `serial`, one file at a time. `TRIBUTARY_TEST_WORKERS` sets the parallel
 * project's workers (1: everything one at a time, as before).
 */
const parallelWorkers = Number(process.env['TRIBUTARY_TEST_WORKERS'] ?? 2);

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: SERIAL,
          maxWorkers: parallelWorkers,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'serial', include: SERIAL, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
