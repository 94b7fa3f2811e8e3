import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { change, changeSerde, type Change } from '../../../lib/dsl/change.js';
import { SuppressionBufferStore } from '../../../lib/dsl/windowed/suppression-buffer.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { ChangelogSink, RestoreRecord, StateStoreContext } from '../../../lib/state/types.js';

function context(log: RestoreRecord[]): StateStoreContext {
  const sink: ChangelogSink = {
    topic: 'buf-changelog',
    partition: 0,
    log: (key, value, timestamp) => void log.push({ key: Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp } as RestoreRecord),
  };
  return { applicationId: 'a', taskId: '0_0', partition: 0, taskDir: '/nonexistent', changelog: sink, currentTimestamp: () => 0, streamTime: () => 0 };
}

const opArb = fc.oneof(
  fc.record({
    op: fc.constant('put' as const),
    key: fc.integer({ min: 0, max: 30 }),
    value: fc.option(fc.integer({ min: -5, max: 1000 })),
    ts: fc.integer({ min: 0, max: 100 }),
    bufferTime: fc.integer({ min: 0, max: 12 }),
  }),
  fc.record({ op: fc.constant('evict' as const), upTo: fc.integer({ min: -1, max: 12 }) }),
  fc.record({ op: fc.constant('restart' as const) }),
);

describe('SuppressionBufferStore', () => {
  it('polls by buffer time, first buffered first among equals; keeps prior values; changelog restores the same buffer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 300 }), async (ops) => {
        const log: RestoreRecord[] = [];
        let buf = new SuppressionBufferStore<string, number>('buf', Serdes.string(), Serdes.int64(), false);
        await buf.init(context(log));
        // Model: key → entry, plus the order keys were first buffered.
        const model = new Map<string, { change: Change<number>; timestamp: number; bufferTime: number; seq: number }>();
        let seq = 0;
        for (const o of ops) {
          if (o.op === 'put') {
            const k = `k${o.key}`;
            const prev = model.get(k);
            const c = change(o.value, o.value === null ? 7 : null);
            buf.put(k, c, o.ts, o.bufferTime);
            if (prev === undefined) model.set(k, { change: c, timestamp: o.ts, bufferTime: o.bufferTime, seq: seq++ });
            else model.set(k, { ...prev, change: { newValue: c.newValue, oldValue: prev.change.oldValue }, timestamp: o.ts });
          } else if (o.op === 'evict') {
            const want = [...model].filter(([, e]) => e.bufferTime <= o.upTo).sort((a, b) => a[1].bufferTime - b[1].bufferTime || a[1].seq - b[1].seq);
            const got: Array<[string, Change<number>, number]> = [];
            while (buf.minBufferTime() <= o.upTo) {
              const e = buf.pollMin()!;
              got.push([e.key, e.change, e.timestamp]);
            }
            expect(got).toEqual(want.map(([k, e]) => [k, e.change, e.timestamp]));
            for (const [k] of want) model.delete(k);
          } else {
            // Restart: a new buffer restored from the whole changelog (in two batches) holds the same entries.
            await buf.close();
            buf = new SuppressionBufferStore<string, number>('buf', Serdes.string(), Serdes.int64(), false);
            await buf.init(context(log));
            const half = log.length >> 1;
            await buf.restoreBatch(log.slice(0, half));
            await buf.restoreBatch(log.slice(half));
            // Restored entries are ordered by buffer time; among equals, by their last changelog write.
            const lastWrite = new Map<string, number>();
            log.forEach((r, i) => lastWrite.set(r.key.toString('latin1'), i));
            for (const [k, e] of model) e.seq = lastWrite.get(Buffer.from(k).toString('latin1'))! + seq;
            seq += log.length;
          }
          expect(buf.size).toBe(model.size);
          const min = Math.min(...[...model.values()].map((e) => e.bufferTime));
          expect(buf.minBufferTime()).toBe(min);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("logs [buffer time][timestamp][change] with the change in changeSerde's layout, and a tombstone at emission", async () => {
    const log: RestoreRecord[] = [];
    const buf = new SuppressionBufferStore<string, number>('buf', Serdes.string(), Serdes.int64(), false);
    await buf.init(context(log));
    buf.put('a', change(5, 2), 40, 100);
    buf.put('b', change(null, 3), 41, 100);
    buf.put('a', change(6, 5), 42, 100);
    const expected = (c: Change<number>, bufferTime: number, ts: number): Buffer => {
      const head = Buffer.alloc(16);
      head.writeDoubleBE(bufferTime, 0);
      head.writeDoubleBE(ts, 8);
      return Buffer.concat([head, changeSerde(Serdes.int64()).serialize(c)]);
    };
    expect(log.map((r) => [r.key.toString(), r.value])).toEqual([
      ['a', expected(change(5, 2), 100, 40)],
      ['b', expected(change(null, 3), 100, 41)],
      ['a', expected(change(6, 2), 100, 42)],
    ]);
    expect(buf.pollMin()!.key).toBe('a');
    expect(log[3]).toEqual({ key: Buffer.from('a'), value: null, timestamp: 42 });
    expect(buf.sizeBytes).toBe(48 + 1 + expected(change(null, 3), 100, 41).length);
  });
});
