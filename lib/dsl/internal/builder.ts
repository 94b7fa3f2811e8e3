/**
 * State shared by everything one `StreamsBuilder` creates: the name counter (shared by
 * processors and stores, as in Kafka Streams, so generated names match a Java app built the same
 * way), the logical graph, default serdes and the warning hook.
 */
import type { Serde } from '../../serde/types.js';
import { Topology } from '../../topology/topology.js';
import type { GraphNode } from './graph-node.js';
import { planFusions } from './optimize.js';

/** Receives the DSL's warnings (e.g. a store named by a generated name). */
export type DslLogger = (message: string) => void;

/** Options of a `StreamsBuilder`: default key and value serdes of the DSL and where it reports warnings (e.g. unnamed stores). */
export interface BuilderOptions {
  /** Serdes for stores when neither the operator nor upstream gives one. */
  readonly defaultKeySerde?: Serde<unknown>;
  readonly defaultValueSerde?: Serde<unknown>;
  /** Receives warnings (e.g. unnamed stateful operators). Default: `console.warn`, silent under vitest. */
  readonly logger?: DslLogger;
}

export class InternalStreamsBuilder {
  private index = 0;
  readonly nodes: GraphNode[] = [];
  readonly warnings: string[] = [];
  /** Run at `build()` before nodes are written (e.g. user stores added via `addStateStore`). */
  readonly beforeWrite: ((topology: Topology) => void)[] = [];
  private built = false;

  constructor(readonly options: BuilderOptions = {}) {}

  /** `KSTREAM-FILTER-0000000001` style name; consumes one counter value. */
  newProcessorName(prefix: string): string {
    return `${prefix}${this.nextIndex()}`;
  }

  /**
   * The user's name when given, else a generated one; consumes one counter value either way, as
   * Kafka Streams does (`NamedInternal.orElseGenerateWithPrefix`), so naming one operator does not
   * shift the generated names of the operators after it.
   */
  nameOrGenerate(given: string | undefined, prefix: string): string {
    const generated = this.newProcessorName(prefix);
    return given ?? generated;
  }

  /** `<given><suffix>` when a base name is given, else a generated name; consumes one counter value either way. */
  suffixedOrGenerate(given: string | undefined, suffix: string, prefix: string): string {
    const generated = this.newProcessorName(prefix);
    return given === undefined ? generated : `${given}${suffix}`;
  }

  /** `<prefix>STATE-STORE-0000000002` style name; consumes one counter value. */
  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${this.nextIndex()}`;
  }

  addNode<N extends GraphNode>(node: N): N {
    if (this.built) throw new Error('StreamsBuilder.build() was already called; create a new builder');
    this.nodes.push(node);
    return node;
  }

  warn(message: string): void {
    this.warnings.push(message);
    const logger = this.options.logger ?? defaultLogger;
    logger(message);
  }

  build(): Topology {
    this.built = true;
    const topology = new Topology();
    for (const step of this.beforeWrite) step(topology);
    for (const node of this.nodes) node.writeToTopology(topology);
    planFusions(topology, this.nodes);
    return topology;
  }

  private nextIndex(): string {
    return String(this.index++).padStart(10, '0');
  }
}

function defaultLogger(message: string): void {
  if (process.env['VITEST'] === undefined) console.warn(`[tributary] ${message}`);
}
