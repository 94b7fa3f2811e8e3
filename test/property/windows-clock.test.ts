/** Stream time and watermarks never decrease, in every mode, under any mix of records and wall-clock ticks. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProcessorContext, RecordMetadata } from '../../lib/topology/processor.js';
import { EventTimeTracker } from '../../lib/time/event-time-tracker.js';
import { EventTime } from '../../lib/time/event-time.js';

const RUNS = Number(process.env['TRIBUTARY_FC_RUNS'] ?? 1000);

function fakeContext(): { ctx: ProcessorContext<unknown, unknown>; setNow(ms: number): void; setPartition(p: number): void } {
  let now = 0;
  let meta: RecordMetadata | null = null;
  const ctx = {
    applicationId: 'a',
    taskId: '0_0',
    recordMetadata: () => meta,
    currentStreamTimeMs: () => -1,
    currentSystemTimeMs: () => now,
    forward: () => undefined,
    getStateStore: () => {
      throw new Error('no stores');
    },
    schedule: () => ({ cancel: () => undefined }),
    commit: () => undefined,
  } as unknown as ProcessorContext<unknown, unknown>;
  return { ctx, setNow: (ms) => (now = ms), setPartition: (p) => (meta = { topic: 't', partition: p, offset: 0 }) };
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('record' as const), ts: fc.integer({ min: 0, max: 100_000 }), partition: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('wall' as const), ms: fc.integer({ min: 0, max: 60_000 }) }),
);
const mode = fc.constantFrom(
  EventTime.streamTime(),
  EventTime.watermark(),
  EventTime.watermark({ idleTimeout: 5_000 }),
  EventTime.streamTime().withWallClockClose(10_000),
  EventTime.watermark({ idleTimeout: 1_000 }).withWallClockClose(20_000),
);

describe('event-time clocks', () => {
  it('never decrease; stream-time mode equals the running max; the watermark never passes the max seen unless wall-clock close is on', () => {
    fc.assert(
      fc.property(mode, fc.array(op, { maxLength: 60 }), (spec, ops) => {
        const { ctx, setNow, setPartition } = fakeContext();
        const tracker = new EventTimeTracker(
          spec,
          ctx,
          [0, 1, 2].map((partition) => ({ topic: 't', partition })),
        );
        let now = 0;
        let max = -1;
        let last = tracker.time();
        for (const o of ops) {
          if (o.kind === 'record') {
            setPartition(o.partition);
            tracker.observe(o.ts);
            max = Math.max(max, o.ts);
          } else {
            now += o.ms;
            setNow(now);
            tracker.tick(now);
          }
          const t = tracker.time();
          expect(t).toBeGreaterThanOrEqual(last);
          if (spec.wallClockCloseMs === null) expect(t).toBeLessThanOrEqual(max);
          if (spec.mode === 'stream-time' && spec.wallClockCloseMs === null) expect(t).toBe(max);
          last = t;
        }
      }),
      { numRuns: RUNS },
    );
  });
});
