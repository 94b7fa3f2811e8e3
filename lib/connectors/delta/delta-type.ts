/**
 * zod schemas annotated with an explicit Delta type, for the columns zod alone cannot say:
 * `deltaType.long()` (a number stored as long), `deltaType.decimal(10, 2)`, `deltaType.date()`,
 * `deltaType.timestamp()`, `deltaType.binary()`, `deltaType.short()`, `deltaType.byte()`.
 */
import { z } from 'zod';

/** Delta data types by name (`deltaType.long`, `deltaType.decimal(10, 2)`, `deltaType.array(...)`) for hand-written schemas. */
export const deltaType = {
  long: () => z.union([z.int(), z.bigint()]).meta({ delta: 'long' }),
  integer: () => z.int32().meta({ delta: 'integer' }),
  short: () => z.int().min(-32768).max(32767).meta({ delta: 'short' }),
  byte: () => z.int().min(-128).max(127).meta({ delta: 'byte' }),
  float: () => z.number().meta({ delta: 'float' }),
  decimal: (precision: number, scale: number) => z.union([z.string(), z.number(), z.bigint()]).meta({ delta: `decimal(${precision},${scale})` }),
  date: () => z.union([z.iso.date(), z.date()]).meta({ delta: 'date' }),
  timestamp: () => z.union([z.date(), z.iso.datetime({ offset: true }), z.bigint()]).meta({ delta: 'timestamp' }),
  binary: () => z.instanceof(Uint8Array).meta({ delta: 'binary' }),
};
