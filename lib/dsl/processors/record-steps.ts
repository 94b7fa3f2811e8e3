/**
 * The record-by-record operators as steps, for the optimisation pass's fused chains: a step takes
 * a record and returns the record to hand on, or null to drop it (filter; foreach hands nothing
 * on). The same functions and rules as the operators' own processors (stream-stateless.ts): a
 * key-only predicate or selector (see `takesValue`) leaves a lazily decoded value undecoded.
 */
import type { KeyValue } from '../../state/types.js';
import type { Record } from '../../topology/processor.js';
import { withKey, withKeyValue, withValue } from '../../topology/record.js';
import { takesValue } from './stream-stateless.js';

type AnyRecord = Record<unknown, unknown>;
export type RecordStep = (record: AnyRecord) => AnyRecord | null;

export function filterStep<K, V>(predicate: (key: K, value: V) => boolean, negate: boolean): RecordStep {
  const reads = takesValue(predicate);
  const p = predicate as (key: unknown, value: unknown) => boolean;
  return (r) => (p(r.key, reads ? r.value : undefined) !== negate ? r : null);
}

export function mapStep<K, V, KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>): RecordStep {
  const m = mapper as (key: unknown, value: unknown) => KeyValue<unknown, unknown>;
  return (r) => {
    const kv = m(r.key, r.value);
    return withKeyValue(r, kv.key, kv.value);
  };
}

export function mapValuesStep<K, V, VR>(mapper: (value: V, key: K) => VR): RecordStep {
  const m = mapper as (value: unknown, key: unknown) => unknown;
  return (r) => withValue(r, m(r.value, r.key));
}

export function selectKeyStep<K, V, KR>(selector: (key: K, value: V) => KR): RecordStep {
  const reads = takesValue(selector);
  const s = selector as (key: unknown, value: unknown) => unknown;
  return (r) => withKey(r, s(r.key, reads ? r.value : undefined));
}

/** peek (forward = true) and foreach (forward = false: nothing is handed on). */
export function peekStep<K, V>(action: (key: K, value: V) => void, forward: boolean): RecordStep {
  const a = action as (key: unknown, value: unknown) => void;
  return (r) => {
    a(r.key, r.value);
    return forward ? r : null;
  };
}

/** Drops records with a null key (the filter before a repartition sink). */
export const nullKeyFilterStep: RecordStep = (r) => (r.key !== null && r.key !== undefined ? r : null);
