/**
 * JSON values as UTF-8 text. Deserialization is the source's job and happens on first read of
 * a record's value (the runtime's sources are lazy), so operators that never read the value —
 * `count`, `selectKey` on key fields, filters on keys, repartitioning — never parse it. Bytes
 * that are not valid UTF-8 are refused (SERDE), never decoded with replacement characters.
 */
import { isUtf8 } from 'node:buffer';
import type { Serde } from './types.js';
import { serdeError } from './serde-error.js';
import { utf8Text } from './utf8.js';

export function jsonSerde<T>(): Serde<T> {
  return {
    format: 'json',
    serialize(value, topic) {
      return Buffer.from(toJson(value, topic), 'utf8');
    },
    serializeText: toJson,
    deserialize(data, topic) {
      const text = data.toString('utf8');
      // Decoding turns invalid bytes into U+FFFD; only then are the bytes checked (cheap path first).
      if (text.includes('\uFFFD') && !isUtf8(data)) throw notUtf8(topic);
      return parseJson<T>(text, topic);
    },
    deserializeRange(data, start, end, topic) {
      const text = utf8Text(data, start, end);
      if (text.includes('\uFFFD') && !isUtf8(data.subarray(start, end))) throw notUtf8(topic);
      return parseJson<T>(text, topic);
    },
  };
}

function toJson(value: unknown, topic: string | undefined): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw serdeError('json serde: value is not JSON-serializable', topic);
  return text;
}

/** JSON text must be UTF-8 (RFC 8259): decoding other bytes would silently turn them into U+FFFD. */
function notUtf8(topic: string | undefined): Error {
  return serdeError('json serde: value is not valid UTF-8 (JSON text must be UTF-8; decoding would replace bytes with U+FFFD)', topic);
}

function parseJson<T>(text: string, topic: string | undefined): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw serdeError(`json serde: invalid JSON (${(error as Error).message})`, topic, error);
  }
}
