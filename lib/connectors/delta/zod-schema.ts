/**
 * Derives a Delta table schema from a zod object schema. The mapping (also in docs/delta.md):
 *
 * | zod                                   | Delta                      |
 * |---------------------------------------|----------------------------|
 * | z.string(), z.enum([...]), z.literal('…') | string                   |
 * | z.number(), z.float64()               | double                     |
 * | z.float32()                           | float                      |
 * | z.int(), z.bigint(), z.int64()        | long                       |
 * | z.int32()                             | integer                    |
 * | z.boolean()                           | boolean                    |
 * | z.date(), z.iso.datetime()            | timestamp (UTC, micros)    |
 * | z.iso.date()                          | date                       |
 * | z.instanceof(Uint8Array)              | binary                     |
 * | z.object({...})                       | struct                     |
 * | z.array(T)                            | array<T>                   |
 * | z.record(z.string(), T)               | map<string,T>              |
 * | T.nullable() / T.optional()           | nullable field / element   |
 * | T.meta({ delta: 'decimal(p,s)' | ... })| the named Delta type       |
 *
 * Fields are NOT NULL unless wrapped in nullable/optional/nullish. Schemas that transform
 * values (default, transform, pipe, catch, coerce) are refused: the writer stores what it receives.
 */
import type { z } from 'zod';
import { TributaryError } from '../../errors.js';
import { decimalSpec, field, struct, validateSchema } from './schema.js';
import type { DeltaDataType, DeltaPrimitiveType, DeltaStructType } from './types.js';

/** Anything with zod v4 internals; kept loose so both `zod` and `zod/v4/core` schemas fit. */
type AnyZod = z.ZodType;

interface ZodDef {
  readonly type: string;
  readonly format?: string;
  readonly innerType?: AnyZod;
  readonly element?: AnyZod;
  readonly keyType?: AnyZod;
  readonly valueType?: AnyZod;
  readonly shape?: Record<string, AnyZod>;
  readonly coerce?: boolean;
}

function defOf(s: AnyZod): ZodDef {
  return (s as unknown as { _zod: { def: ZodDef } })._zod.def;
}

function deltaMeta(s: AnyZod): DeltaPrimitiveType | undefined {
  const meta = (s as unknown as { meta?: () => Record<string, unknown> | undefined }).meta?.();
  const d = meta?.['delta'];
  if (d === undefined) return undefined;
  if (typeof d !== 'string') throw new TributaryError(`zod meta "delta" must be a Delta type name, got ${JSON.stringify(d)}`, { code: 'DELTA' });
  return d as DeltaPrimitiveType;
}

interface Unwrapped {
  readonly schema: AnyZod;
  readonly nullable: boolean;
  readonly override: DeltaPrimitiveType | undefined;
}

function unwrap(s: AnyZod, path: string): Unwrapped {
  let nullable = false;
  let override = deltaMeta(s);
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    if (d.type === 'optional' || d.type === 'nullable') {
      nullable = true;
      cur = d.innerType!;
    } else if (d.type === 'readonly') {
      cur = d.innerType!;
    } else if (d.type === 'default' || d.type === 'prefault' || d.type === 'catch' || d.type === 'transform' || d.type === 'pipe') {
      throw new TributaryError(`${path}: zod "${d.type}" changes values; the Delta writer stores what it receives, so declare the plain type`, {
        code: 'DELTA',
      });
    } else {
      break;
    }
    override ??= deltaMeta(cur);
  }
  if (defOf(cur).coerce) throw new TributaryError(`${path}: z.coerce is not supported (values would be silently coerced)`, { code: 'DELTA' });
  return { schema: cur, nullable, override };
}

function typeOf(s: AnyZod, path: string): { type: DeltaDataType; nullable: boolean } {
  const { schema, nullable, override } = unwrap(s, path);
  if (override) {
    if (
      !decimalSpec(override) &&
      !['string', 'long', 'integer', 'short', 'byte', 'float', 'double', 'boolean', 'binary', 'date', 'timestamp'].includes(override)
    ) {
      throw new TributaryError(`${path}: unknown Delta type "${override}" in zod meta`, { code: 'DELTA' });
    }
    return { type: override, nullable };
  }
  const d = defOf(schema);
  switch (d.type) {
    case 'string':
      if (d.format === 'date') return { type: 'date', nullable };
      if (d.format === 'datetime') return { type: 'timestamp', nullable };
      return { type: 'string', nullable };
    case 'number':
      if (d.format === 'int32') return { type: 'integer', nullable };
      if (d.format === 'safeint' || d.format === 'uint32') return { type: 'long', nullable };
      if (d.format === 'float32') return { type: 'float', nullable };
      return { type: 'double', nullable };
    case 'bigint':
      return { type: 'long', nullable };
    case 'enum': {
      const entries = Object.values((d as unknown as { entries: Record<string, unknown> }).entries);
      if (entries.every((e) => typeof e === 'string')) return { type: 'string', nullable };
      break;
    }
    case 'literal': {
      const values = (d as unknown as { values: unknown[] }).values;
      if (values.every((e) => typeof e === 'string')) return { type: 'string', nullable };
      break;
    }
    case 'boolean':
      return { type: 'boolean', nullable };
    case 'date':
      return { type: 'timestamp', nullable };
    case 'custom': {
      const cls = (schema as unknown as { _zod: { bag?: { Class?: unknown } } })._zod.bag?.Class;
      if (cls === Uint8Array || cls === Buffer) return { type: 'binary', nullable };
      break;
    }
    case 'object':
      return { type: objectToStruct(schema, path), nullable };
    case 'array': {
      const el = typeOf(d.element!, `${path}[]`);
      return { type: { type: 'array', elementType: el.type, containsNull: el.nullable }, nullable };
    }
    case 'record': {
      const k = unwrap(d.keyType!, `${path}{key}`);
      if (defOf(k.schema).type !== 'string' || k.nullable) throw new TributaryError(`${path}: map keys must be z.string()`, { code: 'DELTA' });
      const v = typeOf(d.valueType!, `${path}{}`);
      return { type: { type: 'map', keyType: 'string', valueType: v.type, valueContainsNull: v.nullable }, nullable };
    }
  }
  throw new TributaryError(`${path}: zod type "${d.type}" has no Delta equivalent; add .meta({ delta: '<type>' }) or use an explicit Delta schema`, {
    code: 'DELTA',
  });
}

function objectToStruct(s: AnyZod, path: string): DeltaStructType {
  const shape = defOf(s).shape;
  if (!shape) throw new TributaryError(`${path}: expected a z.object`, { code: 'DELTA' });
  return struct(
    Object.entries(shape).map(([name, fs]) => {
      const t = typeOf(fs, path ? `${path}.${name}` : name);
      return field(name, t.type, t.nullable);
    }),
  );
}

/** The Delta schema of a zod object schema; see the module comment for the mapping. */
export function deltaSchemaFromZod(schema: AnyZod): DeltaStructType {
  const { schema: inner } = unwrap(schema, '(root)');
  if (defOf(inner).type !== 'object') throw new TributaryError('a Delta table schema must be a z.object', { code: 'DELTA' });
  const out = objectToStruct(inner, '');
  validateSchema(out);
  return out;
}
