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
  /**
   * Optional: the name of this serde's byte format when equal values give equal bytes whatever
   * the topic (`'string'`, `'json'`, …). Two serdes with the same `format` read each other's
   * bytes, so the runtime may pass a record's input bytes through to an internal topic instead of
   * serializing the unchanged value again. Set by the built-in serdes; leave it unset on a serde
   * whose bytes depend on the topic (a schema registry's). A serde made by spreading another
   * (`{ ...Serdes.json(), serialize }`) inherits it: set `format: undefined` if its bytes differ.
   */
  readonly format?: string | undefined;
}
