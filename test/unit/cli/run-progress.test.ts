import { describe, expect, it } from 'vitest';
import type { AppStats } from '../../../lib/cli/run/app-runner.js';
import { progressLine, progressRecord, rates, terminalLine } from '../../../lib/cli/run/progress.js';

const stats = (over: Partial<AppStats> = {}): AppStats => ({
  applicationId: 'app',
  state: 'running',
  tasks: 2,
  recordsIn: 1000,
  processed: 990,
  recordsOut: 500,
  deadLettered: 10,
  dropped: 7,
  commits: 3,
  commitLatencyMs: { mean: 4.14, max: 9.02 },
  eventTimeMs: Date.parse('2025-01-15T12:41:07Z'),
  ...over,
});

describe('run progress', () => {
  it('computes per-second rates between samples', () => {
    const r = rates(stats(), stats({ recordsIn: 3000, processed: 2490 }), 2000);
    expect(r).toEqual({ inputPerSec: 1000, processedPerSec: 750 });
    expect(rates(undefined, stats(), 1000)).toEqual({ inputPerSec: 0, processedPerSec: 0 });
  });

  it('renders every field on the terminal line', () => {
    const line = progressLine({ stats: stats(), lag: 1203, graceMs: 0 }, { inputPerSec: 12400, processedPerSec: 12398 });
    expect(line).toBe(
      'app running · in 12,400/s · processed 12,398/s · commit 4.1 ms (max 9.0) · lag 1,203 · watermark 2025-01-15T12:41:07Z · late 7 · dlq 10',
    );
    const unknown = progressLine(
      { stats: stats({ commitLatencyMs: undefined, eventTimeMs: undefined }), lag: undefined, graceMs: 0 },
      { inputPerSec: 0, processedPerSec: 0 },
    );
    expect(unknown).toContain('commit –');
    expect(unknown).toContain('lag ?');
    expect(unknown).toContain('watermark –');
  });

  it('subtracts the grace from the event time for the watermark', () => {
    const rec = progressRecord({ stats: stats(), lag: 0, graceMs: 600_000 }, { inputPerSec: 1.4, processedPerSec: 2.6 }, Date.parse('2025-01-01T00:00:00Z'));
    expect(rec).toMatchObject({
      event: 'progress',
      time: '2025-01-01T00:00:00.000Z',
      inputPerSec: 1,
      processedPerSec: 3,
      eventTime: '2025-01-15T12:41:07Z',
      watermark: '2025-01-15T12:31:07Z',
      late: 7,
      deadLettered: 10,
      commitLatencyMs: { mean: 4.1, max: 9 },
      lag: 0,
    });
  });

  it('rewrites one terminal line, cut to the width', () => {
    expect(terminalLine('abc', 80)).toBe('\rabc\x1b[K');
    const cut = terminalLine('x'.repeat(100), 41);
    expect(cut).toBe(`\r${'x'.repeat(39)}…\x1b[K`);
  });
});
