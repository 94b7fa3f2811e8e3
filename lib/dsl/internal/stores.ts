/** Store builders for DSL operators, from `Materialized` options and the serdes known upstream. */
import { ConfigError } from '../../errors.js';
import type { Serde } from '../../serde/types.js';
import { Stores } from '../../state/stores.js';
import type { StoreBuilder } from '../../state/types.js';
import type { Materialized } from '../options/materialized.js';
import type { InternalStreamsBuilder } from './builder.js';

/** The first serde given, else the builder default; throws a `ConfigError` naming the store. */
export function requireSerde<T>(builder: InternalStreamsBuilder, what: 'key' | 'value', store: string, ...candidates: (Serde<T> | undefined)[]): Serde<T> {
  for (const c of candidates) if (c !== undefined) return c;
  const fallback = what === 'key' ? builder.options.defaultKeySerde : builder.options.defaultValueSerde;
  if (fallback !== undefined) return fallback as Serde<T>;
  throw new ConfigError(
    `${store} needs a ${what} serde (the key or value type changed upstream): pass Materialized.with(...)/withKeySerde/withValueSerde, ` +
      `serdes upstream (Consumed, Grouped), or StreamsBuilder defaults`,
    { context: { store } },
  );
}

/** A timestamped key-value store builder honouring logging, caching and store type. */
export function timestampedKeyValueStore<K, V>(
  name: string,
  materialized: Materialized<K, V> | undefined,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
): StoreBuilder {
  const opts = materialized?.options;
  const supplier = opts?.storeType === 'in-memory' ? Stores.inMemoryKeyValueStore(name) : Stores.persistentTimestampedKeyValueStore(name);
  let b = Stores.timestampedKeyValueStoreBuilder(supplier, keySerde, valueSerde);
  b = opts === undefined || opts.caching ? b.withCachingEnabled() : b.withCachingDisabled();
  b = opts === undefined || opts.logging !== null ? b.withLoggingEnabled(opts?.logging ?? {}) : b.withLoggingDisabled();
  return b;
}

/** The operator's store name: `Materialized.as` name, else generated (with a warning: generated names shift when the topology changes). */
export function storeNameFor(
  builder: InternalStreamsBuilder,
  materialized: Materialized<unknown, unknown> | undefined,
  prefix: string,
  operator: string,
): string {
  const given = materialized?.options.storeName;
  if (given !== undefined) return given;
  const name = builder.newStoreName(prefix);
  builder.warn(
    `${operator} has no store name; using generated ${name}. Generated names shift when the topology changes, ` +
      'which orphans the store and its changelog on upgrade: name it with Materialized.as(...)',
  );
  return name;
}
