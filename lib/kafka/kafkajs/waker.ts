/** A `poll` wait that ends after its timeout or at the first `wake()`, whichever comes first. */
export class Waker {
  private pending: (() => void) | undefined;

  /** Resolves after `timeoutMs`, or earlier when `wake()` is called. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        resolve();
      }, timeoutMs);
      this.pending = () => {
        clearTimeout(timer);
        this.pending = undefined;
        resolve();
      };
    });
  }

  /** Ends the current wait, if any. */
  wake(): void {
    this.pending?.();
  }
}
