/**
 * The iteration orders Kafka Streams' `TopologyDescription` text comes out in, reproduced so that
 * `describe()` prints the same text: a `java.util.HashSet<String>` iterates by hash bucket (then
 * insertion order), and a `java.util.TreeSet` whose comparator reads values that change after
 * insertion (node sizes) iterates in the order its red-black tree placed each element when it was
 * inserted. Both are pure functions of their inputs; nothing here is random.
 */

/** Java's `String.hashCode()` (UTF-16 code units, 32-bit overflow). */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The order a `java.util.HashSet<String>` (or the keys of a `HashMap<String, …>`) that grew from
 * the default capacity iterates in, given the insertion order: by bucket (`(h ^ h >>> 16) &
 * (capacity - 1)`), ties by insertion order. (Ignores tree bins: buckets of 8+ colliding names.)
 */
export function javaHashOrder(namesInInsertionOrder: readonly string[]): string[] {
  let capacity = 16;
  while (namesInInsertionOrder.length > capacity * 0.75) capacity *= 2;
  return namesInInsertionOrder
    .map((name, index) => {
      const h = javaStringHash(name);
      return { name, index, bucket: (h ^ (h >>> 16)) & (capacity - 1) };
    })
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((e) => e.name);
}

interface Entry<T> {
  readonly key: T;
  left: Entry<T> | null;
  right: Entry<T> | null;
  parent: Entry<T> | null;
  black: boolean;
}

/**
 * A `java.util.TreeSet` with a comparator, insertion and in-order iteration only, following
 * `java.util.TreeMap.put` and `fixAfterInsertion` step for step: with a comparator over mutable
 * values the iteration order depends on the tree's shape at each insertion.
 */
export class JavaTreeSet<T> {
  private root: Entry<T> | null = null;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  add(key: T): void {
    if (this.root === null) {
      this.root = { key, left: null, right: null, parent: null, black: true };
      return;
    }
    let t: Entry<T> = this.root;
    let parent: Entry<T>;
    let cmp: number;
    for (;;) {
      parent = t;
      cmp = this.compare(key, t.key);
      if (cmp < 0) {
        if (t.left === null) break;
        t = t.left;
      } else if (cmp > 0) {
        if (t.right === null) break;
        t = t.right;
      } else {
        return;
      }
    }
    const e: Entry<T> = { key, left: null, right: null, parent, black: false };
    if (cmp < 0) parent.left = e;
    else parent.right = e;
    this.fixAfterInsertion(e);
  }

  values(): T[] {
    const out: T[] = [];
    const walk = (e: Entry<T> | null): void => {
      if (e === null) return;
      walk(e.left);
      out.push(e.key);
      walk(e.right);
    };
    walk(this.root);
    return out;
  }

  private fixAfterInsertion(start: Entry<T>): void {
    let x: Entry<T> | null = start;
    const black = (p: Entry<T> | null): boolean => p === null || p.black;
    const parentOf = (p: Entry<T> | null): Entry<T> | null => (p === null ? null : p.parent);
    const leftOf = (p: Entry<T> | null): Entry<T> | null => (p === null ? null : p.left);
    const rightOf = (p: Entry<T> | null): Entry<T> | null => (p === null ? null : p.right);
    const setBlack = (p: Entry<T> | null, b: boolean): void => {
      if (p !== null) p.black = b;
    };
    while (x !== null && x !== this.root && !x.parent!.black) {
      if (parentOf(x) === leftOf(parentOf(parentOf(x)))) {
        const y = rightOf(parentOf(parentOf(x)));
        if (!black(y)) {
          setBlack(parentOf(x), true);
          setBlack(y, true);
          setBlack(parentOf(parentOf(x)), false);
          x = parentOf(parentOf(x));
        } else {
          if (x === rightOf(parentOf(x))) {
            x = parentOf(x);
            this.rotateLeft(x);
          }
          setBlack(parentOf(x), true);
          setBlack(parentOf(parentOf(x)), false);
          this.rotateRight(parentOf(parentOf(x)));
        }
      } else {
        const y = leftOf(parentOf(parentOf(x)));
        if (!black(y)) {
          setBlack(parentOf(x), true);
          setBlack(y, true);
          setBlack(parentOf(parentOf(x)), false);
          x = parentOf(parentOf(x));
        } else {
          if (x === leftOf(parentOf(x))) {
            x = parentOf(x);
            this.rotateRight(x);
          }
          setBlack(parentOf(x), true);
          setBlack(parentOf(parentOf(x)), false);
          this.rotateLeft(parentOf(parentOf(x)));
        }
      }
    }
    this.root!.black = true;
  }

  private rotateLeft(p: Entry<T> | null): void {
    if (p === null) return;
    const r = p.right!;
    p.right = r.left;
    if (r.left !== null) r.left.parent = p;
    r.parent = p.parent;
    if (p.parent === null) this.root = r;
    else if (p.parent.left === p) p.parent.left = r;
    else p.parent.right = r;
    r.left = p;
    p.parent = r;
  }

  private rotateRight(p: Entry<T> | null): void {
    if (p === null) return;
    const l = p.left!;
    p.left = l.right;
    if (l.right !== null) l.right.parent = p;
    l.parent = p.parent;
    if (p.parent === null) this.root = l;
    else if (p.parent.right === p) p.parent.right = l;
    else p.parent.left = l;
    l.right = p;
    p.parent = l;
  }
}
