import { describe, expect, it } from 'vitest';
import { timestampRuns } from '../../../lib/kafka/platformatic/producer.js';

describe('platformatic producer: timestamp runs (around the varint64 delta bug)', () => {
  it('cuts a send where a partition’s timestamps drift 2^31 ms or more from its first in the run', () => {
    const now = 1_800_000_000_000n;
    const m = (partition: number, timestamp: bigint) => ({ topic: 't', partition, timestamp });
    const all = [m(0, now), m(1, 1000n), m(0, now + 5n), m(0, 1000n), m(1, 2000n), m(0, 1001n)];
    const runs = timestampRuns(all);
    expect(runs.map((r) => r.map((x) => [x.partition, x.timestamp]))).toEqual([
      [
        [0, now],
        [1, 1000n],
        [0, now + 5n],
      ],
      [
        [0, 1000n],
        [1, 2000n],
        [0, 1001n],
      ],
    ]);
    expect(timestampRuns([m(0, 0n), m(0, 2n ** 31n - 1n)])).toHaveLength(1);
    expect(timestampRuns([m(0, 0n), m(0, 2n ** 31n)])).toHaveLength(2);
  });
});
