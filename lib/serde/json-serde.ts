/**
 * JSON values as UTF-8 text. Deserialization is the source's job and happens on first read of
 * a record's value (the runtime's sources are lazy), so operators that never read the value —
 * `count`, `selectKey` on key fields, filters on keys, repartitioning — never parse it.
 */
import type { Serde } from './types.js';
import { serdeError } from './serde-error.js';
import { withFormat } from './serde-format.js';

export function jsonSerde<T>(): Serde<T> {
  return withFormat<Serde<T>>({
    serialize(value, topic) {
      const text = JSON.stringify(value);
      if (text === undefined) throw serdeError('json serde: value is not JSON-serializable', topic);
      return Buffer.from(text, 'utf8');
    },
    deserialize(data, topic) {
      try {
        return JSON.parse(data.toString('utf8')) as T;
      } catch (error) {
        throw serdeError(`json serde: invalid JSON (${(error as Error).message})`, topic, error);
      }
    },
  }, 'json');
}
