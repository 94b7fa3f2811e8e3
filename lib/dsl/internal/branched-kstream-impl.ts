/**
 * `split()`: one branch processor forwarding each record to the first matching branch child. As in
 * Kafka Streams, each `branch()` adds its child (a pass-through named `<split name><branch name or
 * index>`, consuming one counter value) and runs the branch's function at once; the default branch
 * is the child after the last predicate.
 */
import { PASS_THROUGH } from './fusible.js';
import type { BranchedKStream } from '../branched-kstream.js';
import type { KStream } from '../kstream.js';
import type { Branched } from '../options/branched.js';
import { branchSupplier, passThroughSupplier } from '../processors/stream-stateless.js';
import type { KStreamImpl } from './kstream-impl.js';
import { ProcessorGraphNode } from './nodes.js';
import { KStreamImpl as Impl } from './kstream-impl.js';

export class BranchedKStreamImpl<K, V> implements BranchedKStream<K, V> {
  private readonly predicates: ((key: K, value: V) => boolean)[] = [];
  /** One child per predicate, then the default branch's child when there is one. */
  private readonly childNames: string[] = [];
  private readonly out = new Map<string, KStream<K, V>>();
  private done = false;

  constructor(
    private readonly source: KStreamImpl<K, V>,
    private readonly splitName: string,
  ) {
    source.builder.addNode(new ProcessorGraphNode(splitName, [source.name], branchSupplier(this.predicates, this.childNames)));
  }

  branch(predicate: (key: K, value: V) => boolean, branched?: Branched<K, V>): BranchedKStream<K, V> {
    this.checkOpen();
    this.predicates.push(predicate);
    this.addBranch(branched, this.predicates.length);
    return this;
  }

  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>> {
    this.checkOpen();
    this.addBranch(branched, 0);
    this.done = true;
    return this.out;
  }

  noDefaultBranch(): Map<string, KStream<K, V>> {
    this.checkOpen();
    this.done = true;
    return this.out;
  }

  private addBranch(branched: Branched<K, V> | undefined, index: number): void {
    const childName = this.splitName + (branched?.name ?? String(index));
    if (this.childNames.includes(childName)) throw new Error(`split ${this.splitName}: branch names must be unique (${childName})`);
    this.childNames.push(childName);
    const { builder } = this.source;
    builder.newProcessorName(childName);
    builder.addNode(new ProcessorGraphNode(childName, [this.splitName], passThroughSupplier<K, V>(), { fusible: PASS_THROUGH }));
    const stream = new Impl<K, V>(builder, childName, this.source.keySerde, this.source.valueSerde, this.source.repartitionRequired);
    const result = branched?.chain ? branched.chain(stream) : stream;
    if (result) this.out.set(childName, result);
  }

  private checkOpen(): void {
    if (this.done) throw new Error(`split ${this.splitName}: defaultBranch/noDefaultBranch was already called`);
  }
}
