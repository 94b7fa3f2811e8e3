/**
 * What every client of bench:clients runs: idempotent batched produce, consume from the start, and
 * the read-process-write loop of an exactly-once stream task (consume → produce → send offsets →
 * commit, one transaction per 100 ms). Each client implements the three over its own API.
 */

export interface Measured {
  readonly records: number;
  readonly ms: number;
  readonly cpuMs: number;
}

export interface Clock {
  stop(records: number): Measured;
}

export interface WorkloadContext {
  readonly bootstrap: string;
  readonly caseName: string;
  readonly records: number;
  readonly batch: number;
  /** Read by consume and eos: holds `records` records. */
  readonly inputTopic: string;
  /** Written by produce and eos. */
  readonly outputTopic: string;
  readonly groupId: string;
  readonly commitIntervalMs: number;
  startClock(): Clock;
}

export interface Workload {
  produce(ctx: WorkloadContext): Promise<Measured>;
  consume(ctx: WorkloadContext): Promise<Measured>;
  eos(ctx: WorkloadContext): Promise<Measured>;
}

export interface Pending {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly partition: number;
  readonly offset: number;
  /** The client's own message object, for clients that commit offsets by message. */
  readonly source?: unknown;
}

export function startClock(): Clock {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return {
    stop(records) {
      const c = process.cpuUsage(c0);
      return { records, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
    },
  };
}

const BODY = 'x'.repeat(80);

/** A ~100-byte value numbered `i`. */
export function payload(i: number): Buffer {
  return Buffer.from(`${String(i).padStart(10, '0')}${BODY}`);
}

/** Runs `send(from, to)` over [0, total) in batches of `batch`, at most `inFlight` at a time. */
export async function inFlightPool(total: number, batch: number, inFlight: number, send: (from: number, to: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const from = next;
      next = Math.min(total, next + batch);
      await send(from, next);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

/** Splits a transaction's records into sends of at most `size` (one request per send stays below the broker's message size limit). */
export function chunks<T>(items: readonly T[], size = 2_000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const MAX_PENDING = 50_000;

/**
 * Every `commitIntervalMs`: takes the pending records and commits them in one transaction (their
 * outputs and the next offsets per partition). `done` resolves with the count once `records` are
 * committed; `room()` waits while too many records are pending (back-pressure on the consumer).
 */
export function commitLoop(
  ctx: WorkloadContext,
  pending: Pending[],
  commit: (records: Pending[], offsets: Map<number, number>) => Promise<void>,
): { done: Promise<number>; room(): Promise<void> } {
  let committed = 0;
  let drained: (() => void) | undefined;
  const done = (async () => {
    while (committed < ctx.records) {
      await new Promise((r) => setTimeout(r, ctx.commitIntervalMs));
      if (pending.length === 0) continue;
      const records = pending.splice(0, pending.length);
      drained?.();
      const offsets = new Map<number, number>();
      for (const r of records) offsets.set(r.partition, Math.max(offsets.get(r.partition) ?? -1, r.offset + 1));
      await commit(records, offsets);
      committed += records.length;
    }
    return committed;
  })();
  return {
    done,
    async room() {
      while (pending.length > MAX_PENDING) await new Promise<void>((r) => (drained = r));
    },
  };
}
