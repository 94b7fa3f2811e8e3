/**
 * Record-by-record KStream operators: filter, map, mapValues, selectKey, flatMap, flatMapValues,
 * peek/foreach and pass-through (merge, branch children). Each is stateless and forwards to all
 * children; derivations keep a lazily decoded value undecoded when the operator does not read it.
 */
import type { KeyValue } from '../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../topology/processor.js';
import { withKey, withKeyValue, withValue } from '../../topology/record.js';

/**
 * Whether `fn` may use its second argument (the value). Only a function whose source shows at
 * most one plain parameter (no comma, default-valued or rest parameter before its body) and no
 * `arguments` is known not to; native and bound functions are assumed to. Decided once per
 * operator, so a key-only selector or predicate leaves a lazily decoded value undecoded.
 */
export function takesValue(fn: (...args: never[]) => unknown): boolean {
  if (fn.length >= 2) return true;
  const source = Function.prototype.toString.call(fn);
  if (source.includes('[native code]') || source.includes('arguments')) return true;
  const end = source.search(/=>|\{/);
  const head = end < 0 ? source : source.slice(0, end);
  return head.includes(',') || head.includes('...');
}

abstract class Forwarding<KIn, VIn, KOut, VOut> implements Processor<KIn, VIn, KOut, VOut> {
  protected context!: ProcessorContext<KOut, VOut>;
  init(context: ProcessorContext<KOut, VOut>): void {
    this.context = context;
  }
  abstract process(record: Record<KIn, VIn>): void;
}

export function filterSupplier<K, V>(predicate: (key: K, value: V) => boolean, negate: boolean): ProcessorSupplier<K, V, K, V> {
  const readsValue = takesValue(predicate);
  return () =>
    new (class extends Forwarding<K, V, K, V> {
      process(record: Record<K, V>): void {
        if (predicate(record.key, readsValue ? record.value : (undefined as V)) !== negate) this.context.forward(record);
      }
    })();
}

export function mapSupplier<K, V, KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>): ProcessorSupplier<K, V, KR, VR> {
  return () =>
    new (class extends Forwarding<K, V, KR, VR> {
      process(record: Record<K, V>): void {
        const kv = mapper(record.key, record.value);
        this.context.forward(withKeyValue(record, kv.key, kv.value));
      }
    })();
}

export function mapValuesSupplier<K, V, VR>(mapper: (value: V, key: K) => VR): ProcessorSupplier<K, V, K, VR> {
  return () =>
    new (class extends Forwarding<K, V, K, VR> {
      process(record: Record<K, V>): void {
        this.context.forward(withValue(record, mapper(record.value, record.key)));
      }
    })();
}

export function selectKeySupplier<K, V, KR>(selector: (key: K, value: V) => KR): ProcessorSupplier<K, V, KR, V> {
  const readsValue = takesValue(selector);
  return () =>
    new (class extends Forwarding<K, V, KR, V> {
      process(record: Record<K, V>): void {
        // A key-only selector does not read the value; `withKey` keeps it undecoded then.
        this.context.forward(withKey(record, selector(record.key, readsValue ? record.value : (undefined as V))));
      }
    })();
}

export function flatMapSupplier<K, V, KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>): ProcessorSupplier<K, V, KR, VR> {
  return () =>
    new (class extends Forwarding<K, V, KR, VR> {
      process(record: Record<K, V>): void {
        for (const kv of mapper(record.key, record.value)) this.context.forward(withKeyValue(record, kv.key, kv.value));
      }
    })();
}

export function flatMapValuesSupplier<K, V, VR>(mapper: (value: V, key: K) => Iterable<VR>): ProcessorSupplier<K, V, K, VR> {
  return () =>
    new (class extends Forwarding<K, V, K, VR> {
      process(record: Record<K, V>): void {
        for (const v of mapper(record.value, record.key)) this.context.forward(withValue(record, v));
      }
    })();
}

/** peek (forward = true) and foreach (forward = false: a terminal node). */
export function peekSupplier<K, V>(action: (key: K, value: V) => void, forward: boolean): ProcessorSupplier<K, V, K, V> {
  return () =>
    new (class extends Forwarding<K, V, K, V> {
      process(record: Record<K, V>): void {
        action(record.key, record.value);
        if (forward) this.context.forward(record);
      }
    })();
}

export function passThroughSupplier<K, V>(): ProcessorSupplier<K, V, K, V> {
  return () =>
    new (class extends Forwarding<K, V, K, V> {
      process(record: Record<K, V>): void {
        this.context.forward(record);
      }
    })();
}

/** Drops records with a null key (before a repartition sink: they cannot be partitioned by key). */
export function nullKeyFilterSupplier<K, V>(): ProcessorSupplier<K, V, K, V> {
  return () =>
    new (class extends Forwarding<K, V, K, V> {
      process(record: Record<K, V>): void {
        if (record.key !== null && record.key !== undefined) this.context.forward(record);
      }
    })();
}

/** Sends each record to the first branch whose predicate matches, else to the default branch (if any). */
export function branchSupplier<K, V>(
  predicates: readonly ((key: K, value: V) => boolean)[],
  /** One child per predicate, then the default branch's child when there is one (read when the processor is created). */
  childNames: readonly string[],
): ProcessorSupplier<K, V, K, V> {
  return () => {
    const children = [...childNames];
    const tests = [...predicates];
    const defaultChild = children.length > tests.length ? children[tests.length]! : null;
    return new (class extends Forwarding<K, V, K, V> {
      process(record: Record<K, V>): void {
        for (let i = 0; i < tests.length; i++) {
          if (tests[i]!(record.key, record.value)) {
            this.context.forward(record, children[i]!);
            return;
          }
        }
        if (defaultChild !== null) this.context.forward(record, defaultChild);
      }
    })();
  };
}
