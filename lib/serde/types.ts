/** A serializer/deserializer pair. Serdes are pure and synchronous. */
export interface Serde<T> {
  serialize(value: T, topic?: string): Buffer;
  deserialize(data: Buffer, topic?: string): T;
  /**
   * Optional, for text formats: the value as a string whose UTF-8 encoding is exactly what
   * `serialize` returns (and throwing as it does), so the runtime can encode it straight into
   * its output buffer instead of allocating a Buffer per record.
   */
  serializeText?(value: T, topic?: string): string;
  /**
   * Optional: `deserialize` of the bytes `data[start, end)`, without creating a view of them
   * (the runtime reads records as ranges of shared chunks).
   */
  deserializeRange?(data: Buffer, start: number, end: number, topic?: string): T;
}
