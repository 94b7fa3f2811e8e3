/** A record as piped into or read from a test topic. */
import type { Headers } from '../kafka/types.js';

/** A record as the test driver pipes or reads it: key, value, timestamp, headers and partition. */
export interface TestRecord<K, V> {
  readonly key: K;
  readonly value: V;
  /** Epoch ms; when piping, absent means the input topic's next auto timestamp. */
  readonly timestamp?: number;
  readonly headers?: Headers;
  /** When piping: an explicit partition (default: murmur2 of the key bytes). When reading: where it was. */
  readonly partition?: number;
}

/** A record read from an output topic: everything is known. */
export interface OutputRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** A key and a value, as `readKeyValuesToList` returns them. */
export interface KeyValuePair<K, V> {
  readonly key: K;
  readonly value: V;
}
