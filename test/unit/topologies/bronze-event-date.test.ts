/**
 * The seed's bronze topology (issue #19): the `event_date` partition and the watermark read the
 * same instant. A year-0099 timestamp used to be partitioned as 0099-06-15 while the watermark
 * saw 1999; now it is an invalid event time (before the epoch) and goes to the dead-letter topic,
 * and every written row's event_date is the UTC date of the record's event time. Read back by
 * delta-rs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../../lib/testing/index.js';
import buildBronze from '../../../topologies/transactions-bronze.js';
import { readWithDeltaRs } from '../../integration/delta/readers.js';

const dirs: string[] = [];
let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const event = (id: string, ts: string): Record<string, unknown> => ({
  transaction_id: `00000000-0000-4000-8000-00000000000${id.slice(1)}`,
  account_id: 'acct-1',
  merchant_id: 'm-1',
  amount: 12.5,
  currency: 'USD',
  transaction_type: 'purchase',
  status: 'completed',
  transaction_timestamp: ts,
});

describe('transactions-bronze: event_date and watermark agree', () => {
  it('a year-0099 event is dead-lettered (not partitioned as 0099 and timed as 1999); offsets move the date to UTC', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trib-bronze-date-'));
    dirs.push(dir);
    const table = path.join(dir, 'bronze');
    const { topology } = buildBronze({ params: { table, 'commit-interval': '1 ms', watermark: '100000 days' } });
    driver = new TopologyTestDriver(topology, { applicationId: 'bronze-date' });
    const input = driver.createInputTopic('transactions', Serdes.string(), Serdes.json<Record<string, unknown>>());
    const dlq = driver.createOutputTopic('bronze-date-dlq', Serdes.string(), Serdes.string());
    await input.pipeInput('a', event('t1', '2024-03-01T23:30:00-02:00'), 0);
    await input.pipeInput('b', event('t2', '0099-06-15T00:00:00Z'), 0);
    await input.pipeInput('c', event('t3', '2024-03-02T00:30:00+01:00'), 0);
    const dead = await dlq.readRecordsToList();
    expect(dead.map((r) => r.key)).toEqual(['b']);
    expect(String(dead[0]!.headers?.['tributary.error.reason'] ?? '')).toMatch(/transaction_timestamp/);
    await driver.close();
    driver = undefined;
    const rs = await readWithDeltaRs(table);
    const rows = rs.rows.map((r) => [String(r['transaction_id']).slice(-2), r['event_date']]).sort();
    expect(rows).toEqual([
      ['01', '2024-03-02'],
      ['03', '2024-03-01'],
    ]);
  });
});
