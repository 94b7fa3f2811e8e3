/**
 * `Serdes`: the built-in serdes in one namespace. Every serde is pure and synchronous; null keys
 * and values (tombstones) never reach a serde — the runtime maps them to null bytes and back.
 */
import type { z } from 'zod';
import type { Windowed } from '../state/types.js';
import type { Serde } from './types.js';
import { bytesSerde, doubleSerde, int32Serde, int64Serde, stringSerde } from './primitive-serdes.js';
import { jsonSerde } from './json-serde.js';
import { zodSerde } from './zod-serde.js';
import { sessionWindowedSerde, timeWindowedSerde } from './windowed-serde.js';

/** Ready-made serdes: string, bytes, numbers (int32, int64, double), JSON and more. */
export const Serdes = {
  /** UTF-8 text. */
  string: (): Serde<string> => stringSerde,
  /** Raw bytes, unchanged. */
  bytes: (): Serde<Buffer> => bytesSerde,
  /** 4-byte big-endian signed integer (Java `IntegerSerde`). */
  int32: (): Serde<number> => int32Serde,
  /** 8-byte big-endian signed integer as a safe JS number (Java `LongSerde`). */
  int64: (): Serde<number> => int64Serde,
  /** 8-byte big-endian IEEE 754 (Java `DoubleSerde`). */
  double: (): Serde<number> => doubleSerde,
  /** UTF-8 JSON, not validated: the type parameter is a promise, not a check. */
  json: <T>(): Serde<T> => jsonSerde<T>(),
  /** UTF-8 JSON validated by a zod schema; failures are `TributaryError` code SERDE with the issues. */
  zod: <S extends z.ZodType>(schema: S): Serde<z.output<S>> => zodSerde(schema),
  /** Time-windowed keys: key bytes + 8-byte BE window start (Kafka Streams layout). */
  timeWindowed: <K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> => timeWindowedSerde(inner, windowSizeMs),
  /** Session-windowed keys: key bytes + 8-byte BE end + 8-byte BE start (Kafka Streams layout). */
  sessionWindowed: <K>(inner: Serde<K>): Serde<Windowed<K>> => sessionWindowedSerde(inner),
} as const;
