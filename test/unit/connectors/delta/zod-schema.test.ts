import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deltaSchemaFromZod, deltaType } from '../../../../lib/connectors/delta/index.js';

describe('deltaSchemaFromZod', () => {
  it('maps every supported zod type', () => {
    const s = deltaSchemaFromZod(
      z.object({
        s: z.string(),
        d: z.number(),
        l: z.int(),
        i: z.int32(),
        big: z.bigint(),
        f: z.float32(),
        b: z.boolean(),
        ts: z.date(),
        iso: z.iso.datetime(),
        day: z.iso.date(),
        bin: z.instanceof(Uint8Array),
        dec: deltaType.decimal(10, 2),
        long2: deltaType.long().nullable(),
        opt: z.string().optional(),
        obj: z.object({ a: z.string() }).nullable(),
        arr: z.array(z.int32().nullable()),
        m: z.record(z.string(), z.number()),
      }),
    );
    const t = Object.fromEntries(s.fields.map((f) => [f.name, [f.type, f.nullable]]));
    expect(t).toEqual({
      s: ['string', false],
      d: ['double', false],
      l: ['long', false],
      i: ['integer', false],
      big: ['long', false],
      f: ['float', false],
      b: ['boolean', false],
      ts: ['timestamp', false],
      iso: ['timestamp', false],
      day: ['date', false],
      bin: ['binary', false],
      dec: ['decimal(10,2)', false],
      long2: ['long', true],
      opt: ['string', true],
      obj: [{ type: 'struct', fields: [{ name: 'a', type: 'string', nullable: false, metadata: {} }] }, true],
      arr: [{ type: 'array', elementType: 'integer', containsNull: true }, false],
      m: [{ type: 'map', keyType: 'string', valueType: 'double', valueContainsNull: false }, false],
    });
  });

  it('refuses schemas that would change values or have no Delta type', () => {
    expect(() => deltaSchemaFromZod(z.object({ a: z.string().default('x') }))).toThrow(/default/);
    expect(() => deltaSchemaFromZod(z.object({ a: z.coerce.number() }))).toThrow(/coerce/);
    expect(() => deltaSchemaFromZod(z.object({ a: z.string().transform((x) => x.length) }))).toThrow(/pipe|transform/);
    expect(() => deltaSchemaFromZod(z.object({ a: z.union([z.string(), z.number()]) }))).toThrow(/no Delta equivalent/);
    expect(() => deltaSchemaFromZod(z.object({ a: z.string(), A: z.string() }))).toThrow(/duplicate/);
  });
});
