/** Schemas and row generators covering every column type the Delta writer supports. */
import fc from 'fast-check';
import { field, struct, type DeltaStructType } from '../../../lib/connectors/delta/index.js';

export const ALL_TYPES: DeltaStructType = struct([
  field('id', 'long', false),
  field('s', 'string'),
  field('l', 'long'),
  field('i', 'integer'),
  field('sh', 'short'),
  field('b', 'byte'),
  field('d', 'double'),
  field('f', 'float'),
  field('flag', 'boolean'),
  field('day', 'date'),
  field('ts', 'timestamp'),
  field('dec', 'decimal(18,4)'),
  field('wide', 'decimal(38,10)'),
  field('bin', 'binary'),
  field('obj', struct([field('name', 'string', false), field('n', 'integer'), field('inner', struct([field('x', 'double')]))])),
  field('arr', { type: 'array', elementType: 'string', containsNull: true }),
  field('nums', { type: 'array', elementType: 'long', containsNull: false }),
  field('m', { type: 'map', keyType: 'string', valueType: 'long', valueContainsNull: true }),
  field('part', 'string'),
]);

const MIN_TS = Date.UTC(1950, 0, 1) * 1000;
const MAX_TS = Date.UTC(2150, 0, 1) * 1000;

const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 5 });

const decimalString = (intDigits: number, scale: number) =>
  fc
    .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** BigInt(intDigits) - 1n }), fc.bigInt({ min: 0n, max: 10n ** BigInt(scale) - 1n }))
    .map(([neg, i, f]) => `${neg && (i > 0n || f > 0n) ? '-' : ''}${i}.${f.toString().padStart(scale, '0')}`);

export function allTypesRow(partitionValues: fc.Arbitrary<string | null> = fc.constantFrom('a', 'b', null)): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({
    id: fc.integer({ min: 0, max: 2 ** 40 }),
    s: nullable(fc.string({ unit: 'grapheme', maxLength: 12 })),
    l: nullable(fc.oneof(fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }))),
    i: nullable(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    sh: nullable(fc.integer({ min: -32768, max: 32767 })),
    b: nullable(fc.integer({ min: -128, max: 127 })),
    d: nullable(fc.double({ noNaN: true, noDefaultInfinity: true })),
    f: nullable(fc.float({ noNaN: true, noDefaultInfinity: true })),
    flag: nullable(fc.boolean()),
    day: nullable(fc.integer({ min: -10000, max: 60000 }).map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10))),
    ts: nullable(
      fc.oneof(
        fc.bigInt({ min: BigInt(MIN_TS), max: BigInt(MAX_TS) }),
        fc.date({ min: new Date(MIN_TS / 1000), max: new Date(MAX_TS / 1000), noInvalidDate: true }),
        fc.date({ min: new Date(MIN_TS / 1000), max: new Date(MAX_TS / 1000), noInvalidDate: true }).map((d) => d.toISOString()),
      ),
    ),
    dec: nullable(decimalString(14, 4)),
    wide: nullable(decimalString(28, 10)),
    bin: nullable(fc.uint8Array({ maxLength: 8 })),
    obj: nullable(
      fc.record({
        name: fc.string({ maxLength: 5 }),
        n: nullable(fc.integer({ min: -1000, max: 1000 })),
        inner: nullable(fc.record({ x: nullable(fc.double({ noNaN: true, noDefaultInfinity: true })) })),
      }),
    ),
    arr: nullable(fc.array(nullable(fc.string({ maxLength: 4 })), { maxLength: 3 })),
    nums: nullable(fc.array(fc.maxSafeInteger(), { maxLength: 3 })),
    m: nullable(fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), nullable(fc.maxSafeInteger()), { maxKeys: 3 })),
    part: partitionValues,
  });
}

/** Deterministic sample rows for tests that need no generator. */
export function sampleRows(n: number, seed = 1, parts: (string | null)[] = ['a', 'b', null]): Record<string, unknown>[] {
  return fc.sample(allTypesRow(fc.constantFrom(...parts)), { numRuns: n, seed }).map((r, k) => ({ ...r, id: k }));
}
