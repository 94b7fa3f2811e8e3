/**
 * Delta table schemas: parsing and printing `schemaString`, validating field types, and the
 * compatibility rules used when appending to an existing table (same types; new columns only
 * when nullable and schema evolution is allowed).
 */
import { TributaryError } from '../../errors.js';
import type { DeltaDataType, DeltaStructField, DeltaStructType } from './types.js';

const PRIMITIVES = new Set(['string', 'long', 'integer', 'short', 'byte', 'float', 'double', 'boolean', 'binary', 'date', 'timestamp']);
const DECIMAL_RE = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;

export interface DecimalSpec {
  readonly precision: number;
  readonly scale: number;
}

/** `decimal(p,s)` → its precision and scale, or undefined for other types. */
export function decimalSpec(type: DeltaDataType): DecimalSpec | undefined {
  if (typeof type !== 'string') return undefined;
  const m = DECIMAL_RE.exec(type);
  if (!m) return undefined;
  return { precision: Number(m[1]), scale: Number(m[2]) };
}

/** A Delta schema field: name, type, nullability and metadata. */
export function field(name: string, type: DeltaDataType, nullable = true, metadata: Record<string, unknown> = {}): DeltaStructField {
  return { name, type, nullable, metadata };
}

/** A Delta struct type (a table schema) from fields. */
export function struct(fields: readonly DeltaStructField[]): DeltaStructType {
  return { type: 'struct', fields };
}

/** Checks that a schema is well formed: known types, decimal bounds, unique names. Throws DELTA. */
export function validateSchema(schema: DeltaStructType, where = 'schema'): void {
  const seen = new Set<string>();
  for (const f of schema.fields) {
    if (!f.name) throw new TributaryError(`${where}: empty field name`, { code: 'DELTA' });
    const lower = f.name.toLowerCase();
    if (seen.has(lower)) throw new TributaryError(`${where}: duplicate field "${f.name}" (Delta names are case-insensitive)`, { code: 'DELTA' });
    seen.add(lower);
    validateType(f.type, `${where}.${f.name}`);
  }
}

function validateType(type: DeltaDataType, where: string): void {
  if (typeof type === 'string') {
    if (PRIMITIVES.has(type)) return;
    const d = decimalSpec(type);
    if (d && d.precision >= 1 && d.precision <= 38 && d.scale <= d.precision) return;
    throw new TributaryError(`${where}: unsupported type "${type}"`, { code: 'DELTA' });
  }
  switch (type.type) {
    case 'struct':
      return validateSchema(type, where);
    case 'array':
      return validateType(type.elementType, `${where}[]`);
    case 'map':
      if (type.keyType !== 'string') throw new TributaryError(`${where}: only string map keys are supported`, { code: 'DELTA' });
      return validateType(type.valueType, `${where}{}`);
    default:
      throw new TributaryError(`${where}: unsupported type ${JSON.stringify(type)}`, { code: 'DELTA' });
  }
}

/** Parses a `metaData.schemaString`. */
export function parseSchemaString(schemaString: string): DeltaStructType {
  const parsed = JSON.parse(schemaString) as DeltaStructType;
  if (!parsed || parsed.type !== 'struct' || !Array.isArray(parsed.fields)) {
    throw new TributaryError('schemaString is not a struct type', { code: 'DELTA' });
  }
  return normalizeStruct(parsed);
}

function normalizeStruct(s: DeltaStructType): DeltaStructType {
  return struct(s.fields.map((f) => field(f.name, normalizeType(f.type), f.nullable !== false, { ...(f.metadata ?? {}) })));
}

function normalizeType(t: DeltaDataType): DeltaDataType {
  if (typeof t === 'string') {
    const d = decimalSpec(t);
    return d ? `decimal(${d.precision},${d.scale})` : t;
  }
  if (t.type === 'struct') return normalizeStruct(t);
  if (t.type === 'array') return { type: 'array', elementType: normalizeType(t.elementType), containsNull: t.containsNull !== false };
  return { type: 'map', keyType: normalizeType(t.keyType), valueType: normalizeType(t.valueType), valueContainsNull: t.valueContainsNull !== false };
}

/** The schema as the JSON string Delta stores in its metaData action. */
export function schemaToString(schema: DeltaStructType): string {
  return JSON.stringify(schema);
}

export function typeToString(t: DeltaDataType): string {
  return typeof t === 'string' ? t : JSON.stringify(t);
}

export function sameType(a: DeltaDataType, b: DeltaDataType): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a.type !== b.type) return false;
  if (a.type === 'struct' && b.type === 'struct') {
    return (
      a.fields.length === b.fields.length &&
      a.fields.every((f, i) => {
        const g = b.fields[i]!;
        return f.name === g.name && f.nullable === g.nullable && sameType(f.type, g.type);
      })
    );
  }
  if (a.type === 'array' && b.type === 'array') return a.containsNull === b.containsNull && sameType(a.elementType, b.elementType);
  if (a.type === 'map' && b.type === 'map') {
    return a.valueContainsNull === b.valueContainsNull && sameType(a.keyType, b.keyType) && sameType(a.valueType, b.valueType);
  }
  return false;
}

export interface SchemaMerge {
  /** The schema the table should have after this writer's commit (validated). */
  readonly merged: DeltaStructType;
  /** Columns this writer adds to the table (empty when the schemas already agree). */
  readonly added: readonly string[];
  /**
   * Writer column name → the table's spelling, for columns whose names differ only by case
   * (Delta column names are case-insensitive; the table's casing wins). Empty when none do.
   */
  readonly renamed: ReadonlyMap<string, string>;
}

/**
 * Reconciles the writer's schema with the table's. Names are compared case-insensitively, as
 * Delta does: a writer column `Amount` is the table's column `amount` (the table's casing wins,
 * see `renamed`), never a second column. Columns the table has and the writer lacks must be
 * nullable (the writer's files simply omit them, readers see null). Columns the writer has and
 * the table lacks are added only when `allowAdd` and nullable. Any type or nullability
 * difference on a shared column is an error naming the column. The merged schema is validated
 * (unique names ignoring case, known types) before it is returned.
 */
export function mergeSchemas(table: DeltaStructType, writer: DeltaStructType, allowAdd: boolean, tableName: string): SchemaMerge {
  const byName = new Map(table.fields.map((f) => [f.name.toLowerCase(), f]));
  const renamed = new Map<string, string>();
  for (const w of writer.fields) {
    const t = byName.get(w.name.toLowerCase());
    if (!t) continue;
    if (t.name !== w.name) renamed.set(w.name, t.name);
    if (!sameType(t.type, w.type)) {
      throw new TributaryError(
        `Delta table ${tableName}: column "${t.name}" is ${typeToString(t.type)} in the table but ${typeToString(w.type)} in the writer's schema` +
          (t.name !== w.name ? ` (as "${w.name}"; Delta column names are case-insensitive)` : ''),
        { code: 'DELTA' },
      );
    }
    if (!t.nullable && w.nullable) {
      throw new TributaryError(`Delta table ${tableName}: column "${t.name}" is NOT NULL in the table but nullable in the writer's schema`, { code: 'DELTA' });
    }
  }
  const writerNames = new Set(writer.fields.map((f) => f.name.toLowerCase()));
  for (const t of table.fields) {
    if (!writerNames.has(t.name.toLowerCase()) && !t.nullable) {
      throw new TributaryError(`Delta table ${tableName}: the writer's schema lacks NOT NULL column "${t.name}"`, { code: 'DELTA' });
    }
  }
  const added = writer.fields.filter((f) => !byName.has(f.name.toLowerCase()));
  if (added.length === 0) return { merged: table, added: [], renamed };
  if (!allowAdd) {
    throw new TributaryError(
      `Delta table ${tableName}: the writer's schema has columns the table lacks (${added.map((f) => f.name).join(', ')}); enable schema evolution to add them`,
      { code: 'DELTA' },
    );
  }
  const notNull = added.filter((f) => !f.nullable);
  if (notNull.length) {
    throw new TributaryError(
      `Delta table ${tableName}: schema evolution can only add nullable columns (${notNull.map((f) => f.name).join(', ')} is NOT NULL)`,
      { code: 'DELTA' },
    );
  }
  const merged = struct([...table.fields, ...added]);
  validateSchema(merged, `Delta table ${tableName}: merged schema`);
  return { merged, added: added.map((f) => f.name), renamed };
}
