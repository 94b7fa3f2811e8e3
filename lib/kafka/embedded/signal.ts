/**
 * Wake-ups and timers of the embedded broker. A `Signal` wakes every waiter once when fired (data
 * appended, a transaction ended, a rebalance started or finished); a poll registers on the signals
 * it cares about and sleeps on a promise, so nothing busy-loops.
 */

export class Signal {
  private readonly waiters = new Set<() => void>();

  add(waiter: () => void): void {
    this.waiters.add(waiter);
  }

  delete(waiter: () => void): void {
    this.waiters.delete(waiter);
  }

  fire(): void {
    if (this.waiters.size === 0) return;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }
}

// Captured at load, so a test that installs fake timers later still gets its calls answered;
// timeouts (poll, transaction, session) do follow the fake clock.
const realSetImmediate = globalThis.setImmediate;

/**
 * Resolves on a later turn of the event loop, the way a network round trip would: state changes
 * made by the caller after starting a call are visible to it, and timers get a chance to run.
 */
export function networkTick(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/**
 * Waits until one of the signals fires or `ms` elapses. The timer keeps the process alive, as a
 * pending network request would.
 */
export function waitForAny(signals: readonly Signal[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const wake = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const s of signals) s.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, Math.max(0, ms));
    for (const s of signals) s.add(wake);
  });
}

/** Background timers (transaction timeouts, session expiry) that `EmbeddedKafka.close()` clears. They never keep the process alive. */
export class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();

  schedule(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        fn();
      },
      Math.max(0, ms),
    );
    t.unref();
    this.timers.add(t);
    return t;
  }

  cancel(t: NodeJS.Timeout | null | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
