/**
 * aborted-list.ts: the Fetch API of a platformatic consumer is wrapped so platformatic's own
 * read_committed filter sees no aborted-transaction list, and ours gets the broker's list intact —
 * also when platformatic's `kGetApi` recurses through the wrapper (its first call lists the APIs).
 */
import { type Consumer as PltConsumer, kGetApi } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { abortedTransactionsOf, withOwnAbortedFilter } from '../../../../lib/kafka/platformatic/aborted-list.js';

type Callback = (error: Error | null, api?: unknown) => void;

function fakeConsumer(aborted: { producerId: bigint; firstOffset: bigint }[]) {
  let listed = false;
  const fetchApi = Object.assign(
    (_connection: unknown, ..._args: unknown[]) => {
      const callback = _args.pop() as (e: Error | null, r: unknown) => void;
      callback(null, { responses: [{ partitions: [{ partitionIndex: 0, abortedTransactions: aborted.slice(), records: [] }] }] });
    },
    { key: 1, version: 17 },
  );
  const consumer = {
    [kGetApi](this: { [kGetApi]: (name: string, cb: Callback) => void }, name: string, callback: Callback): void {
      // platformatic lists the broker's APIs on first use, then calls itself again.
      if (!listed) {
        listed = true;
        this[kGetApi](name, callback);
        return;
      }
      callback(null, name === 'Fetch' ? fetchApi : () => undefined);
    },
  };
  return consumer as unknown as PltConsumer;
}

function getApi(c: PltConsumer, name: string): Promise<((...args: unknown[]) => void) & { version?: number }> {
  return new Promise((resolve, reject) =>
    (c as unknown as { [kGetApi]: (n: string, cb: Callback) => void })[kGetApi](name, (e, api) => (e ? reject(e) : resolve(api as never))),
  );
}

describe('withOwnAbortedFilter', () => {
  const aborted = [
    { producerId: 7n, firstOffset: 10n },
    { producerId: 8n, firstOffset: 12n },
  ];

  it('hands platformatic an empty list and keeps the broker list for our filter, through a recursive kGetApi', async () => {
    const c = withOwnAbortedFilter(fakeConsumer(aborted));
    const api = await getApi(c, 'Fetch');
    expect(api.version).toBe(17);
    const result = await new Promise<{ responses: { partitions: object[] }[] }>((resolve) => api({}, 1, 2, (_e: unknown, r: never) => resolve(r)));
    const p = result.responses[0]!.partitions[0]! as { abortedTransactions: unknown[] };
    expect(p.abortedTransactions).toEqual([]);
    expect(abortedTransactionsOf(p)).toEqual(aborted);
  });

  it('returns the same wrapper each time, and leaves other APIs alone', async () => {
    const c = withOwnAbortedFilter(fakeConsumer(aborted));
    expect(await getApi(c, 'Fetch')).toBe(await getApi(c, 'Fetch'));
    const other = await getApi(c, 'ListOffsets');
    expect((other as { version?: number }).version).toBeUndefined();
  });

  it('an unwrapped response still yields its own list', () => {
    expect(abortedTransactionsOf({ abortedTransactions: aborted })).toEqual(aborted);
    expect(abortedTransactionsOf({})).toEqual([]);
  });
});
