/**
 * Mechanical recognizers for the allowed divergences of docs/divergences.md: each entry says, for
 * one diverging (topic, key) of a case, whether the difference is exactly the documented one.
 */
import type { KeyDivergence } from './compare.js';
import type { Case } from './spec.js';

export interface AllowedDivergence {
  /** The entry's anchor in docs/divergences.md. */
  readonly id: string;
  readonly matches: (c: Case, d: KeyDivergence) => boolean;
}

export const ALLOWED: readonly AllowedDivergence[] = [];

/** The id of the entry that explains this divergence, or null. */
export function explain(c: Case, d: KeyDivergence): string | null {
  return ALLOWED.find((a) => a.matches(c, d))?.id ?? null;
}
