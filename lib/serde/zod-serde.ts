/**
 * JSON validated by a zod schema. Deserialization parses then validates; a failure throws a
 * `TributaryError` with code SERDE whose context carries the zod `issues`, so the runtime's
 * deserialization handler can route the record to a dead-letter topic with the reason.
 * Serialization writes the value as JSON without re-validating (the types already check it).
 * Bytes that are not valid UTF-8 are refused (SERDE), never decoded with replacement characters.
 */
import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import type { Serde } from './types.js';
import { serdeError } from './serde-error.js';

export function zodSerde<S extends z.ZodType>(schema: S): Serde<z.output<S>> {
  return {
    serialize(value, topic) {
      const text = JSON.stringify(value);
      if (text === undefined) throw serdeError('zod serde: value is not JSON-serializable', topic);
      return Buffer.from(text, 'utf8');
    },
    deserialize(data, topic) {
      const text = data.toString('utf8');
      // Decoding turns invalid bytes into U+FFFD; only then are the bytes checked (cheap path first).
      if (text.includes('\uFFFD') && !isUtf8(data))
        throw serdeError('zod serde: value is not valid UTF-8 (JSON text must be UTF-8; decoding would replace bytes with U+FFFD)', topic);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw serdeError(`zod serde: invalid JSON (${(error as Error).message})`, topic, error);
      }
      const result = schema.safeParse(json);
      if (!result.success) {
        const issues = result.error.issues;
        const reason = issues.map((i) => `${i.path.length ? i.path.join('.') : '<root>'}: ${i.message}`).join('; ');
        throw serdeError(`zod serde: value does not match the schema: ${reason}`, topic, result.error, { issues });
      }
      return result.data;
    },
  };
}
