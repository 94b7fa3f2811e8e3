/** The result of `KStream.split()`: add branches, then end with `defaultBranch` or `noDefaultBranch`. */
import type { KStream } from './kstream.js';
import type { Branched } from './options/branched.js';

/**
 * A stream being split by `KStream.split()`: each `branch` takes the records its predicate
 * accepts, first match wins; `defaultBranch` or `noDefaultBranch` ends it.
 */
export interface BranchedKStream<K, V> {
  /** Records matching `predicate` (and no earlier branch) go to this branch. */
  branch(predicate: (key: K, value: V) => boolean, branched?: Branched<K, V>): BranchedKStream<K, V>;
  /** Records matching no branch go here. Returns the branches by name (`<split name><branch name or index>`). */
  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>>;
  /** Records matching no branch are dropped. Returns the branches by name. */
  noDefaultBranch(): Map<string, KStream<K, V>>;
}
