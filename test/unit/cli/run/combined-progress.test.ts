import { describe, expect, it } from 'vitest';
import { parseProcesses } from '../../../../lib/cli/commands/run.js';
import { CombinedProgress } from '../../../../lib/cli/run/combined-progress.js';
import { ConfigError } from '../../../../lib/errors.js';
import { availableParallelism } from 'node:os';

const report = (recordsIn: number, extra: Record<string, unknown> = {}) => ({
  state: 'running',
  tasks: 2,
  recordsIn,
  processed: recordsIn,
  recordsOut: recordsIn,
  late: 1,
  deadLettered: 0,
  ...extra,
});

describe('CombinedProgress', () => {
  it('sums the children and keeps a restarted child’s counts', () => {
    const p = new CombinedProgress('app', 2);
    p.report(0, report(100));
    p.report(1, report(50, { lag: 7, eventTime: '2025-01-01T00:00:05Z' }));
    expect(p.totals()).toMatchObject({ recordsIn: 150, recordsOut: 150, late: 2, restarts: 0 });
    p.exited(0);
    p.restarted();
    p.report(0, report(10, { eventTime: '2025-01-01T00:00:01Z' }));
    expect(p.totals()).toMatchObject({ recordsIn: 160, late: 3, restarts: 1 });
    const first = p.sample(0);
    expect(first.record).toMatchObject({ processes: 2, running: 2, tasks: 4, recordsIn: 160, lag: 7, eventTime: '2025-01-01T00:00:01Z', inputPerSec: 0 });
    expect(first.line).toContain('2/2 processes running');
    p.report(1, report(250));
    expect(p.sample(2_000).record).toMatchObject({ recordsIn: 360, inputPerSec: 100 });
  });
});

describe('parseProcesses', () => {
  it('defaults to the cores, and to 1 on the embedded broker', () => {
    expect(parseProcesses(undefined, false)).toBe(availableParallelism());
    expect(parseProcesses(undefined, true)).toBe(1);
    expect(parseProcesses(' 3 ', false)).toBe(3);
  });
  it('rejects what is not a positive whole number, and several processes on the embedded broker', () => {
    for (const bad of ['0', '-1', '1.5', 'many', '']) expect(() => parseProcesses(bad, false)).toThrow(ConfigError);
    expect(() => parseProcesses('2', true)).toThrow(/--processes must be 1 with --embedded/);
  });
});
