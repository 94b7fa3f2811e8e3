/** Drops undefined fields, so option objects satisfy `exactOptionalPropertyTypes`. */
export type Defined<T> = { [P in keyof T]?: Exclude<T[P], undefined> };

export function defined<T extends object>(o: T): Defined<T> {
  const out: { [key: string]: unknown } = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Defined<T>;
}
