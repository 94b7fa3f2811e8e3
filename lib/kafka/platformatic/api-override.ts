/**
 * Replaces one protocol API of a platformatic client: the client asks `kGetApi` (an exported
 * symbol) for the version of an API it will send; `overrideApi` hands it `replace(api)` instead.
 * Used to pin AddPartitionsToTxn to version 3 (producer.ts) and to wrap Fetch (aborted-list.ts).
 * platformatic's `kGetApi` calls itself once it listed the broker's APIs, so `replace` may see
 * its own result again: it must return that unchanged.
 */
import { type Base, kGetApi } from '@platformatic/kafka';

type ApiCallback = (error: Error | null, api?: unknown) => void;

/** `client` with API `name` replaced by `replace(api)`; returns the same object. */
export function overrideApi<C extends object>(client: C, name: string, replace: (api: unknown) => unknown): C {
  const internals = client as unknown as Pick<Base, typeof kGetApi>;
  const pick = internals[kGetApi].bind(client) as (name: string, callback: ApiCallback) => void;
  (internals as { [kGetApi]: unknown })[kGetApi] = (wanted: string, callback: ApiCallback): void => {
    if (wanted !== name) return pick(wanted, callback);
    pick(wanted, (error, api) => (error || api === undefined ? callback(error) : callback(null, replace(api))));
  };
  return client;
}
