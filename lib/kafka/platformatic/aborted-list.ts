/**
 * Keeps platformatic's own read_committed filter away from our Fetch responses.
 *
 * platformatic's consumer (2.12) drops aborted transactions itself after every read_committed
 * Fetch: it pairs each producer's aborted transaction with that producer's *last* abort marker in
 * the response, so when one producer aborted, committed, then aborted again (a transactional id
 * fenced twice — every restart of an exactly-once task after a crash), it also drops the committed
 * transactions in between. A restore then stopped at a stale value and a reader lost committed
 * records (test/integration/delta-source/delta-to-kafka.test.ts found it; the conformance case
 * "read_committed keeps a committed transaction between two aborts of one producer" pins it).
 *
 * `withOwnAbortedFilter` wraps the consumer's Fetch API so each partition's aborted-transaction
 * list is moved under `ABORTED` before platformatic looks at it (an empty list: platformatic keeps
 * every batch), and `abortedTransactionsOf` hands it to `batchColumns`, which filters as the Java
 * consumer does. The filter runs once, ours.
 */
import type { Consumer as PltConsumer } from '@platformatic/kafka';
import { overrideApi } from './api-override.js';

interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

interface FetchPartition {
  abortedTransactions?: AbortedTransaction[] | null;
  [ABORTED]?: readonly AbortedTransaction[];
}

interface FetchResult {
  responses?: { partitions?: FetchPartition[] }[];
}

type ApiCallback = (error: (Error & { response?: FetchResult }) | null, result?: FetchResult) => void;
type Api = ((connection: unknown, ...args: unknown[]) => void) & { key?: number | undefined; version?: number | undefined; async?: unknown };

const ABORTED = Symbol('tributary.abortedTransactions');
const wrappedApis = new WeakMap<Api, Api>();
const ours = new WeakSet<Api>();

/** Moves every partition's aborted-transaction list out of platformatic's sight (once per response). */
function stash(result: FetchResult | undefined): void {
  for (const t of result?.responses ?? []) {
    for (const p of t.partitions ?? []) {
      if (Object.hasOwn(p, ABORTED)) continue;
      p[ABORTED] = p.abortedTransactions ?? [];
      p.abortedTransactions = [];
    }
  }
}

function wrap(api: Api): Api {
  if (ours.has(api)) return api;
  let w = wrappedApis.get(api);
  if (w === undefined) {
    const fetch: Api = (connection: unknown, ...args: unknown[]): void => {
      const last = args[args.length - 1];
      const callback = typeof last === 'function' ? (args.pop() as ApiCallback) : undefined;
      api(connection, ...args, (error: (Error & { response?: FetchResult }) | null, result?: FetchResult) => {
        stash(result ?? error?.response);
        callback?.(error, result);
      });
    };
    fetch.key = api.key;
    fetch.version = api.version;
    fetch.async = (connection: unknown, ...args: unknown[]) =>
      new Promise<FetchResult | undefined>((resolve, reject) => fetch(connection, ...args, ((e, r) => (e ? reject(e) : resolve(r))) as ApiCallback));
    ours.add(fetch);
    wrappedApis.set(api, fetch);
    w = fetch;
  }
  return w;
}

/** `consumer` with its Fetch API wrapped (see the module comment); returns the same object. */
export function withOwnAbortedFilter<C extends PltConsumer>(consumer: C): C {
  return overrideApi(consumer, 'Fetch', (api) => wrap(api as Api));
}

/** The broker's aborted-transaction list of a Fetch response partition (stashed or not). */
export function abortedTransactionsOf(partition: object): readonly AbortedTransaction[] {
  const p = partition as FetchPartition;
  return p[ABORTED] ?? p.abortedTransactions ?? [];
}
