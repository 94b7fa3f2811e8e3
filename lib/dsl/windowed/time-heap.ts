/** A binary min-heap of distinct times (buffer times, window ends): the buffers keep one bucket per time and this orders them. */
export class TimeHeap {
  private h: number[] = [];

  get size(): number {
    return this.h.length;
  }

  /** The smallest time, or undefined when empty. */
  peek(): number | undefined {
    return this.h[0];
  }

  /** Adds `t`; returns true when it became the smallest. */
  push(t: number): boolean {
    const h = this.h;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]! <= t) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = t;
    return i === 0;
  }

  /** Removes the smallest time; returns the new smallest, or undefined when empty. */
  pop(): number | undefined {
    const h = this.h;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return undefined;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]! < h[l]! ? r : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return h[0];
  }

  clear(): void {
    this.h = [];
  }
}
