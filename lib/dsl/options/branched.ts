/** Names a branch of `KStream.split()` and optionally transforms or consumes it. */
import type { KStream } from '../kstream.js';

/** Names a branch of `KStream.split()` and optionally maps the branch stream (`Branched.as`, `withFunction`, `withConsumer`). */
export class Branched<K, V> {
  private constructor(
    readonly name: string | undefined,
    readonly chain: ((stream: KStream<K, V>) => KStream<K, V> | void) | undefined,
  ) {}

  static as<K = unknown, V = unknown>(name: string): Branched<K, V> {
    return new Branched<K, V>(name, undefined);
  }

  /** The branch stream is transformed; the result is what `split()` returns for this branch. */
  static withFunction<K, V>(chain: (stream: KStream<K, V>) => KStream<K, V>, name?: string): Branched<K, V> {
    return new Branched<K, V>(name, chain);
  }

  /** The branch stream is consumed; `split()` returns no stream for this branch. */
  static withConsumer<K, V>(consumer: (stream: KStream<K, V>) => void, name?: string): Branched<K, V> {
    return new Branched<K, V>(name, (s) => {
      consumer(s);
    });
  }
}
