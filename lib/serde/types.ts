/** A serializer/deserializer pair. Serdes are pure and synchronous. */
export interface Serde<T> {
  serialize(value: T, topic?: string): Buffer;
  deserialize(data: Buffer, topic?: string): T;
}
