/** `split()`: one branch processor forwarding each record to the first matching branch child. */
import { PASS_THROUGH } from './fusible.js';
import type { BranchedKStream } from '../branched-kstream.js';
import type { KStream } from '../kstream.js';
import type { Branched } from '../options/branched.js';
import { branchSupplier, passThroughSupplier } from '../processors/stream-stateless.js';
import type { KStreamImpl } from './kstream-impl.js';
import { ProcessorGraphNode } from './nodes.js';
import { KStreamImpl as Impl } from './kstream-impl.js';

interface PendingBranch<K, V> {
  readonly childName: string;
  readonly branched: Branched<K, V> | undefined;
}

export class BranchedKStreamImpl<K, V> implements BranchedKStream<K, V> {
  private readonly predicates: ((key: K, value: V) => boolean)[] = [];
  private readonly branches: PendingBranch<K, V>[] = [];
  private done = false;

  constructor(
    private readonly source: KStreamImpl<K, V>,
    private readonly splitName: string,
  ) {}

  branch(predicate: (key: K, value: V) => boolean, branched?: Branched<K, V>): BranchedKStream<K, V> {
    this.checkOpen();
    this.predicates.push(predicate);
    this.branches.push({ childName: this.splitName + (branched?.name ?? String(this.predicates.length)), branched });
    return this;
  }

  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>> {
    return this.finish({ childName: this.splitName + (branched?.name ?? '0'), branched });
  }

  noDefaultBranch(): Map<string, KStream<K, V>> {
    return this.finish(null);
  }

  private finish(defaultBranch: PendingBranch<K, V> | null): Map<string, KStream<K, V>> {
    this.checkOpen();
    this.done = true;
    const all = defaultBranch ? [...this.branches, defaultBranch] : this.branches;
    const names = new Set(all.map((b) => b.childName));
    if (names.size !== all.length) throw new Error(`split ${this.splitName}: branch names must be unique`);
    const { builder } = this.source;
    builder.addNode(
      new ProcessorGraphNode(
        this.splitName,
        [this.source.name],
        branchSupplier(this.predicates, this.branches.map((b) => b.childName), defaultBranch?.childName ?? null),
      ),
    );
    const out = new Map<string, KStream<K, V>>();
    for (const b of all) {
      builder.addNode(new ProcessorGraphNode(b.childName, [this.splitName], passThroughSupplier<K, V>(), { fusible: PASS_THROUGH }));
      const stream = new Impl<K, V>(builder, b.childName, this.source.keySerde, this.source.valueSerde, this.source.repartitionRequired);
      const result = b.branched?.chain ? b.branched.chain(stream) : stream;
      if (result) out.set(b.childName, result);
    }
    return out;
  }

  private checkOpen(): void {
    if (this.done) throw new Error(`split ${this.splitName}: defaultBranch/noDefaultBranch was already called`);
  }
}
