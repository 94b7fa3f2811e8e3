import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DedupWindow } from '../../../topologies/transactions-silver.js';

/** The plain Map semantics DedupWindow must keep (its implementation before the UUID table). */
class ReferenceWindow {
  private readonly seen = new Map<string, number>();
  private maxTs = -Infinity;
  constructor(private readonly retentionMs: number) {}
  get size(): number {
    return this.seen.size;
  }
  firstSeen(id: string, ts: number): boolean {
    if (ts > this.maxTs) this.maxTs = ts;
    const prev = this.seen.get(id);
    if (prev !== undefined && prev >= this.maxTs - this.retentionMs) return false;
    this.seen.set(id, ts);
    return true;
  }
  remember(id: string, ts: number): void {
    if (ts > this.maxTs) this.maxTs = ts;
    this.seen.set(id, ts);
  }
  sweep(): void {
    const cutoff = this.maxTs - this.retentionMs;
    for (const [id, ts] of this.seen) if (ts < cutoff) this.seen.delete(id);
  }
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/** Ids from a small pool so they repeat: lowercase UUIDs (some differing only in the last bits), their upper-case twins, near-UUIDs and plain strings. */
const idArb = fc.oneof(
  fc.integer({ min: 0, max: 300 }).map((n) => `${hex(n * 2654435761, 8).slice(-8)}-0000-4000-8000-${hex(n, 12)}`),
  fc.integer({ min: 0, max: 40 }).map((n) => `ffffffff-ffff-ffff-ffff-${hex(n, 12)}`),
  fc.integer({ min: 0, max: 40 }).map((n) => `FFFFFFFF-FFFF-FFFF-FFFF-${hex(n, 12)}`),
  fc.integer({ min: 0, max: 40 }).map((n) => `ffffffff-ffff-ffff-ffff-${hex(n, 11)}g`),
  fc.integer({ min: 0, max: 40 }).map((n) => `txn-${n}`),
  fc.uuid().map((u) => u.toLowerCase()),
);
const opArb = fc.oneof(
  { weight: 10, arbitrary: fc.record({ op: fc.constant('seen' as const), id: idArb, ts: fc.integer({ min: 0, max: 10_000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remember' as const), id: idArb, ts: fc.integer({ min: 0, max: 10_000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('sweep' as const) }) },
);

describe('DedupWindow (UUID table + Map) = the plain Map semantics', () => {
  it('gives the same answers and size for any sequence of firstSeen / remember / sweep', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.array(opArb, { maxLength: 3000 }), (retention, ops) => {
        const w = new DedupWindow(retention);
        const ref = new ReferenceWindow(retention);
        for (const o of ops) {
          if (o.op === 'seen') expect(w.firstSeen(o.id, o.ts)).toBe(ref.firstSeen(o.id, o.ts));
          else if (o.op === 'remember') {
            w.remember(o.id, o.ts);
            ref.remember(o.id, o.ts);
          } else {
            w.sweep();
            ref.sweep();
            expect(w.size).toBe(ref.size);
          }
        }
        w.sweep();
        ref.sweep();
        expect(w.size).toBe(ref.size);
      }),
      { numRuns: 300 },
    );
  });

  it('holds a large window across growth, tombstones and sweeps (200k UUIDs, 3 rounds)', () => {
    const w = new DedupWindow(1000);
    const ref = new ReferenceWindow(1000);
    const id = (n: number) => `${hex((n * 2654435761) >>> 0, 8)}-${hex(n & 0xffff, 4)}-4${hex(n % 4096, 3)}-8000-${hex(n, 12)}`;
    let mismatches = 0;
    for (let round = 0; round < 3; round++) {
      for (let n = 0; n < 200_000; n++) {
        const ts = round * 1500 + (n % 1000);
        const i = (n * 7 + round * 50_000) % 200_000;
        if (w.firstSeen(id(i), ts) !== ref.firstSeen(id(i), ts)) mismatches++;
      }
      expect(mismatches).toBe(0);
      w.sweep();
      ref.sweep();
      expect(w.size).toBe(ref.size);
    }
  });
});
