/**
 * fast-check generators for the differential suite: per family, the parameters and an input
 * sequence with out-of-order, late and far-late records, duplicate timestamps, event time 0,
 * tombstones, null keys and several keys.
 */
import fc from 'fast-check';
import type { Case, InputRecord } from './spec.js';

export const WINDOWED_FAMILIES = ['tumbling', 'hopping', 'sliding', 'session'].flatMap((w) => ['count', 'reduce', 'aggregate'].map((a) => `${w}-${a}`));
export const JOIN_FAMILIES = ['ss-inner', 'ss-left', 'ss-outer'];
export const OTHER_FAMILIES = [
  'st-inner',
  'st-left',
  'tt-inner',
  'tt-left',
  'tt-outer',
  'fk-inner',
  'fk-left',
  'tgroup-count',
  'tgroup-reduce',
  'tgroup-aggregate',
  'selectkey-count',
  'selectkey-repartition',
  'split-merge',
];
export const ALL_FAMILIES = [...WINDOWED_FAMILIES, ...JOIN_FAMILIES, ...OTHER_FAMILIES];

type Params = Record<string, number | string>;
type TsStep = { kind: 'next'; step: number } | { kind: 'ooo'; back: number } | { kind: 'late'; back: number } | { kind: 'dup' } | { kind: 'zero' };

const tsStep: fc.Arbitrary<TsStep> = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 25 }).map((step) => ({ kind: 'next' as const, step })) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 40 }).map((back) => ({ kind: 'ooo' as const, back })) },
  { weight: 1, arbitrary: fc.integer({ min: 41, max: 200 }).map((back) => ({ kind: 'late' as const, back })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'dup' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'zero' as const }) },
);

interface Draft {
  readonly topic: string;
  readonly key: string | null;
  readonly value: number | null;
  readonly step: TsStep;
}

function timestamps(drafts: readonly Draft[], start: number): InputRecord[] {
  let cursor = start;
  let prev = start;
  return drafts.map((d) => {
    let ts: number;
    switch (d.step.kind) {
      case 'next':
        cursor += d.step.step;
        ts = cursor;
        break;
      case 'ooo':
      case 'late':
        ts = Math.max(0, cursor - d.step.back);
        break;
      case 'dup':
        ts = prev;
        break;
      case 'zero':
        ts = 0;
        break;
    }
    prev = ts;
    return { topic: d.topic, key: d.key, value: d.value, ts };
  });
}

function records(
  topics: readonly string[],
  keysFor: (topic: string) => readonly string[],
  maxLength: number,
  nullValues: boolean,
): fc.Arbitrary<InputRecord[]> {
  const draft = fc.constantFrom(...topics).chain((topic) =>
    fc.record({
      topic: fc.constant(topic),
      key: fc.oneof({ weight: 19, arbitrary: fc.constantFrom(...keysFor(topic)) }, { weight: 1, arbitrary: fc.constant(null) }),
      value: nullValues
        ? fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 9 }) }, { weight: 1, arbitrary: fc.constant(null) })
        : fc.integer({ min: 0, max: 9 }),
      step: tsStep,
    }),
  );
  return fc
    .tuple(fc.array(draft, { maxLength }), fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 100 }) }))
    .map(([drafts, start]) => timestamps(drafts, start));
}

const mode = fc.constantFrom('plain', 'suppress', 'close');
const grace = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60 }));

function params(family: string): fc.Arbitrary<Params> {
  const [kind] = family.split('-');
  switch (kind) {
    case 'tumbling':
      return fc.record({ mode, size: fc.integer({ min: 5, max: 60 }), grace });
    case 'hopping':
      return fc
        .record({ mode, size: fc.integer({ min: 10, max: 60 }), div: fc.integer({ min: 1, max: 5 }), grace })
        .map(({ div, ...p }) => ({ ...p, advance: Math.max(1, Math.floor(p.size / div)) }));
    case 'sliding':
      return fc.record({ mode, diff: fc.integer({ min: 5, max: 60 }), grace });
    case 'session':
      return fc.record({ mode, gap: fc.integer({ min: 1, max: 40 }), grace });
    case 'ss':
      return fc.oneof(
        fc.record({ diff: fc.integer({ min: 0, max: 30 }), grace: fc.integer({ min: 0, max: 40 }) }),
        fc.record({ diff: fc.integer({ min: 0, max: 30 }), grace: fc.integer({ min: 0, max: 40 }), after: fc.integer({ min: 0, max: 30 }) }),
      );
    default:
      return fc.constant({});
  }
}

export interface GenerateOptions {
  /** Null values (tombstones) in the input; default true (`--no-null-values` turns them off). */
  readonly nullValues?: boolean;
}

export function caseArbitrary(family: string, options: GenerateOptions = {}): fc.Arbitrary<Omit<Case, 'id'>> {
  const [kind] = family.split('-');
  const twoSided = ['ss', 'st', 'tt', 'fk'].includes(kind!);
  const topics = twoSided ? ['left', 'right'] : ['in'];
  const keysFor = (topic: string): readonly string[] => (kind === 'fk' && topic === 'right' ? ['f0', 'f1', 'f2'] : ['a', 'b', 'c']);
  const maxLength = kind === 'fk' || kind === 'tgroup' ? 20 : 35;
  return fc.record({ family: fc.constant(family), params: params(family), records: records(topics, keysFor, maxLength, options.nullValues ?? true) });
}

/** `count` cases of `family`, deterministic for a seed; ids are `<family>#<i>`. */
export function generateCases(family: string, count: number, seed: number, options: GenerateOptions = {}): Case[] {
  return fc.sample(caseArbitrary(family, options), { numRuns: count, seed }).map((c, i) => ({ ...c, id: `${family}#${i}` }));
}
