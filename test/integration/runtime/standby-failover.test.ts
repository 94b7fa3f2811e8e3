// Standby replicas over a real broker: runner A owns a count-by-key task (20,000 keys, persistent
// store, exactly-once), runner B keeps a standby of it (numStandbyReplicas=1) by tailing the
// changelog; A is SIGKILLed; B takes the task over. Asserts that B restored only the tail (here
// nothing: its standby was caught up) instead of the changelog, and that every key's count in the
// output (read_committed) is exact after the failover: no update lost or counted twice.
// Runs the same code as `npm run bench:failover` (bench/failover.ts) with a smaller store.
import { describe, expect, it } from 'vitest';
import { runFailover } from '../../../bench/failover.js';
import { realBootstrapServers } from '../../helpers/kafka-env.js';

describe('standby replicas: failover after SIGKILL', () => {
  it('the new owner restores only the tail and every count is exact', async () => {
    const keys = 20_000;
    const r = await runFailover({
      bootstrap: realBootstrapServers(),
      keys,
      numStandbyReplicas: 1,
      // The test broker keeps group.min.session.timeout.ms at its default (6000).
      sessionTimeoutMs: 6_000,
      caseName: 'standby-test',
      log: () => undefined,
    });
    // The changelog holds keys + 1,000 updates; the standby applied all of them before the kill.
    expect(r.standbyApplied).toBeGreaterThanOrEqual(keys + 1_000);
    expect(r.restoredRecords).toBeGreaterThanOrEqual(0);
    expect(r.restoredRecords).toBeLessThan(keys);
    expect(r.wrongCounts).toBe(0);
    expect(r.countsCorrect).toBe(true);
  }, 240_000);
});
