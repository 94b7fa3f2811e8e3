/**
 * Hostile input for the fuzz suite (issue #19): fast-check arbitraries for records and for state
 * damage between restarts, and the model of what the fuzz topology must make of them.
 *
 * Every generated record carries what it *means* (the event time it names, or that it is
 * invalid) computed at generation time from integers, never by the code under test: the model
 * classifies each record as dead-lettered, written on time, or written late, and the harness
 * compares the table, the outputs and the metrics with that.
 */
import fc from 'fast-check';

/** The driver's wall clock for every case (2026-01-01T00:00:00Z); event times are drawn around it. */
export const WALL_MS = Date.UTC(2026, 0, 1);
export const WINDOW_MS = 1_000;
/** Grace of the count's windows: short (records go late, windows expire across restarts) or long (windows span restarts, so lost state shows). */
export const GRACE_CHOICES = [500, 60_000] as const;
export const SESSION_SHIFT_MS = 25_000;
/** Keys the windowed count groups by. */
export const KEYS = ['a', 'b', 'c'] as const;
/** The literal Delta and Hive use for a null partition directory. */
export const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';

/** What an event-time field holds and, when it is valid, the instant it names. */
export interface TsSpec {
  readonly raw: unknown;
  /** Epoch ms when `raw` is a valid event time (safe integer ≥ 0), else null. */
  readonly ms: number | null;
}

export type Body =
  | { readonly kind: 'valid'; readonly k: string; readonly part: string | null; readonly amount: number; readonly ts: TsSpec }
  /** A valid record with one field of the wrong type / missing: a schema violation. */
  | { readonly kind: 'schema'; readonly json: Record<string, unknown> }
  | { readonly kind: 'malformed-json'; readonly text: string }
  /** A valid record's JSON with an invalid UTF-8 byte sequence inside a string. */
  | { readonly kind: 'invalid-utf8'; readonly k: string; readonly part: string | null; readonly ts: TsSpec; readonly bad: readonly number[] }
  | { readonly kind: 'null-value' };

export interface HostileRecord {
  readonly body: Body;
  /**
   * Length to pad the value to (JSON bodies get a `pad` field, malformed text trailing spaces),
   * for sizes at the topic's `max.message.bytes`; 0 = the natural length.
   */
  readonly pad: number;
}

const pad2 = (n: number, w = 2): string => String(n).padStart(w, '0');

/** An ISO string naming `ms` with a ±hh:mm offset (the wall time shifted by the offset). */
function isoWithOffset(ms: number, offsetMin: number): string {
  const local = new Date(ms + offsetMin * 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const a = Math.abs(offsetMin);
  const y = local.getUTCFullYear();
  return `${pad2(y, 4)}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())}T${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())}.${pad2(local.getUTCMilliseconds(), 3)}${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/** Event times: mostly within ±20 s of `base` (so windows fill and close), plus every hostile shape. */
export function tsArb(base: number = WALL_MS): fc.Arbitrary<TsSpec> {
  return fc.oneof(
    { weight: 30, arbitrary: fc.integer({ min: base - 20_000, max: base + 20_000 }).map((ms) => ({ raw: ms, ms })) },
    {
      weight: 8,
      arbitrary: fc
        .tuple(fc.integer({ min: base - 20_000, max: base + 20_000 }), fc.integer({ min: -14 * 60, max: 14 * 60 }))
        .map(([ms, off]) => ({ raw: isoWithOffset(ms, off), ms })),
    },
    { weight: 2, arbitrary: fc.integer({ min: base - 20_000, max: base + 20_000 }).map((ms) => ({ raw: new Date(ms).toISOString(), ms })) },
    // Invalid: negative, fractional, unsafe, huge, non-finite encodings, wrong types, junk strings.
    { weight: 1, arbitrary: fc.integer({ min: -1e12, max: -1 }).map((raw) => ({ raw, ms: null })) },
    { weight: 1, arbitrary: fc.integer({ min: base - 1000, max: base + 1000 }).map((ms) => ({ raw: ms + 0.5, ms: null })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom<unknown>(2 ** 53, 2 ** 60, 2 ** 63 /* Long.MAX_VALUE as a double */, 1e300, -0.5, 'NaN', 'Infinity', '', 'soon', true, null, [], {})
        .map((raw) => ({ raw, ms: null })),
    },
    // Years 0000-0099 name instants before the epoch: invalid event times (they once parsed as 19xx).
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
        .map(([y, m, d]) => ({ raw: `${pad2(y, 4)}-${pad2(m)}-${pad2(d)}T00:00:00Z`, ms: null })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:00', '2026-13-01T00:00:00Z')
        .map((raw) => ({ raw, ms: null })),
    },
    // Far future: valid event times unless a future-skew limit sends them to the dead-letter topic.
    { weight: 1, arbitrary: fc.constantFrom(Date.UTC(9999, 11, 31), WALL_MS + 400 * 86_400_000, 2 ** 52).map((ms) => ({ raw: ms, ms })) },
    { weight: 1, arbitrary: fc.constant({ raw: '9999-12-31T23:59:59Z', ms: Date.UTC(9999, 11, 31, 23, 59, 59) }) },
  );
}

/** Partition values: ordinary, path-like, escapable, unicode, the null literal, empty, and lengths at the 255-byte directory limit. */
export const partArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('p1', 'p2', 'p3') },
  { weight: 2, arbitrary: fc.constant(null) },
  {
    weight: 4,
    arbitrary: fc.constantFrom('../x', '../../etc', '/abs', '.', '..', 'a/b', '%2F', 'k=v', '\\', ':', 'é', '日本', '😀', ' ', 'Ünï', '\u0000', '\n', 'a%b'),
  },
  { weight: 2, arbitrary: fc.constantFrom(HIVE_NULL, '') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  // "part=" is 5 bytes: a value of 250 unescaped bytes is the longest directory name allowed.
  { weight: 1, arbitrary: fc.integer({ min: 247, max: 253 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 123, max: 127 }).map((n) => 'é'.repeat(n)) },
);

const amountArb = fc.integer({ min: -1_000_000, max: 1_000_000 }).map((c) => c / 100);
const keyArb = fc.constantFrom(...KEYS);

const validArb = (base: number): fc.Arbitrary<Body> =>
  fc.record({ kind: fc.constant('valid' as const), k: keyArb, part: partArb, amount: amountArb, ts: tsArb(base) });

const schemaArb: fc.Arbitrary<Body> = fc
  .tuple(
    keyArb,
    fc.integer({ min: WALL_MS - 5000, max: WALL_MS + 5000 }),
    fc.constantFrom({ amount: '12.5' }, { amount: null }, { k: 7 }, { k: null }, { part: 5 }, { part: { x: 1 } }, { amount: [1] }, { id: 'x' }),
  )
  .map(([k, ts, bad]) => ({ kind: 'schema' as const, json: { k, part: 'p1', amount: 1, ts, ...bad } }));

const malformedArb: fc.Arbitrary<Body> = fc
  .oneof(
    fc.constantFrom('{', '{"k":"a",', 'nul', '[1,2', '{"k":"a" "ts":1}', '', ' ', '\u0000', '{"k":"a","ts":1}}'),
    fc.string({ maxLength: 12 }).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    }),
  )
  .map((text) => ({ kind: 'malformed-json' as const, text }));

const invalidUtf8Arb: fc.Arbitrary<Body> = fc.record({
  kind: fc.constant('invalid-utf8' as const),
  k: keyArb,
  part: fc.constantFrom('p1', 'p2'),
  ts: fc.integer({ min: WALL_MS - 5000, max: WALL_MS + 5000 }).map((ms) => ({ raw: ms, ms })),
  // Lone continuation bytes, truncated sequences, overlongs, surrogates encoded in UTF-8, 0xFF.
  bad: fc.constantFrom([0x80], [0xff], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80]),
});

export const bodyArb = (base: number = WALL_MS): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 30, arbitrary: validArb(base) },
    { weight: 2, arbitrary: schemaArb },
    { weight: 2, arbitrary: malformedArb },
    { weight: 2, arbitrary: invalidUtf8Arb },
    { weight: 1, arbitrary: fc.constant({ kind: 'null-value' as const }) },
  );

export interface SizeLimits {
  /** Largest value the input topic accepts (bytes): max.message.bytes less the record overhead and key. */
  readonly maxValueBytes: number;
}

/** Padding: none, or a size that puts the record at (or up to 64 bytes under) the value limit. */
export function recordArb(limits: SizeLimits | undefined, base: number = WALL_MS): fc.Arbitrary<HostileRecord> {
  const padArb =
    limits === undefined
      ? fc.constant(0)
      : fc.oneof(
          { weight: 40, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.constant(limits.maxValueBytes) },
          { weight: 1, arbitrary: fc.integer({ min: limits.maxValueBytes - 64, max: limits.maxValueBytes }) },
        );
  return fc.record({ body: bodyArb(base), pad: padArb });
}

/** The bytes of a record's value (null for a tombstone). `id` is the record's identity in the model. */
export function encodeValue(r: HostileRecord, id: number, variant: SchemaVariant): Buffer | null {
  const b = r.body;
  /** The object's JSON, with a `pad` field that brings it to `r.pad` bytes when it is shorter. */
  const padded = (o: Record<string, unknown>): Buffer => {
    const natural = Buffer.from(JSON.stringify(o), 'utf8');
    const extra = r.pad - natural.length - ',"pad":""'.length;
    return extra > 0 ? Buffer.from(JSON.stringify({ ...o, pad: 'p'.repeat(extra) }), 'utf8') : natural;
  };
  switch (b.kind) {
    case 'valid': {
      const amountKey = variant === 'A' ? 'amount' : 'Amount';
      return padded({ id, k: b.k, part: b.part, [amountKey]: b.amount, ts: b.ts.raw });
    }
    case 'schema':
      return padded({ id, ...b.json });
    case 'malformed-json': {
      const text = Buffer.from(b.text, 'utf8');
      return r.pad > text.length ? Buffer.concat([text, Buffer.alloc(r.pad - text.length, 0x20)]) : text;
    }
    case 'invalid-utf8': {
      const json = JSON.stringify({ id, k: b.k, part: b.part, [variant === 'A' ? 'amount' : 'Amount']: 1, ts: b.ts.raw, note: '@@' });
      const at = json.indexOf('@@');
      return Buffer.concat([Buffer.from(json.slice(0, at), 'utf8'), Buffer.from(b.bad), Buffer.from(json.slice(at + 2), 'utf8')]);
    }
    case 'null-value':
      return null;
  }
}

/** Spelling of the amount column a session's topology reads and writes: `amount`, or `Amount` plus a `Note` column. */
export type SchemaVariant = 'A' | 'B';

/** Damage done to the task's state directory while the app is stopped. */
export type Damage =
  | 'none'
  | 'wipe-task-dir'
  | 'delete-checkpoint'
  | 'delete-store-keep-checkpoint'
  | 'truncate-store-log'
  | 'corrupt-checkpoint'
  | 'corrupt-manifest';

export interface Session {
  readonly variant: SchemaVariant;
  readonly records: readonly HostileRecord[];
  /** Applied after this session closed, before the next one starts. */
  readonly damage: Damage;
}

export interface FuzzCase {
  readonly sessions: readonly Session[];
  /**
   * Where event time comes from: the value's `ts` field (`TimestampExtractors.field`), or the Kafka
   * record timestamp (the default extractor; a generated integer `ts`, however large, becomes the
   * record's timestamp, other shapes leave it at the wall clock).
   */
  readonly tsSource?: 'field' | 'record';
  /** Grace of the count's windows (ms); default 500. */
  readonly graceMs?: number;
  /** Input partitions (one task each, all writing one Delta table); default 1. */
  readonly partitions?: number;
  /**
   * Deserialization and processing handlers: `dead-letter` (the defaults' behaviour for bad
   * input) or `fail`, where the first bad record must stop the app with an error naming it.
   */
  readonly handlers?: 'dead-letter' | 'fail';
}

/** Largest timestamp the runtime accepts (the largest JavaScript Date). */
export const MAX_TIMESTAMP_MS = 8_640_000_000_000_000;

/** The Kafka timestamp to produce a record with, and the event time it names (null = invalid). */
export function eventTime(r: HostileRecord, tsSource: 'field' | 'record'): { readonly recordTs: number; readonly ms: number | null } {
  const b = r.body;
  const ts = 'ts' in b ? b.ts : undefined;
  if (tsSource === 'field') return { recordTs: WALL_MS, ms: ts === undefined ? null : ts.ms };
  if (ts !== undefined && typeof ts.raw === 'number' && Number.isInteger(ts.raw) && ts.raw >= 0) {
    const raw = ts.raw;
    return { recordTs: raw, ms: Number.isSafeInteger(raw) && raw <= MAX_TIMESTAMP_MS ? raw : null };
  }
  return { recordTs: WALL_MS, ms: WALL_MS };
}

export interface CaseOptions {
  readonly damages: readonly Damage[];
  /** Pad some values to the input topic's limit (the dead-letter copy then exceeds it). */
  readonly limits?: SizeLimits;
  readonly maxRecordsPerSession: number;
}

export function caseArb(options: CaseOptions): fc.Arbitrary<FuzzCase> {
  // Session i's event times centre on WALL + i × 25 s: mostly after the earlier sessions', with
  // some overlap (records late across a restart).
  const session = (i: number): fc.Arbitrary<Session> =>
    fc.record({
      variant: fc.constantFrom<SchemaVariant>('A', 'B'),
      records: fc.array(recordArb(options.limits, WALL_MS + i * SESSION_SHIFT_MS), { minLength: 1, maxLength: options.maxRecordsPerSession }),
      damage: fc.constantFrom(...options.damages),
    });
  return (
    fc
      .tuple(
        fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => session(i)))),
        fc.constantFrom<'field' | 'record'>('field', 'field', 'record'),
        fc.constantFrom(...GRACE_CHOICES),
        fc.constantFrom<'dead-letter' | 'fail'>('dead-letter', 'dead-letter', 'dead-letter', 'dead-letter', 'fail'),
        fc.constantFrom(1, 1, 2),
      )
      // FAIL cases use one partition: with two tasks, which bad record stops the app first is the
      // runtime's choice of task order.
      .map(([sessions, tsSource, graceMs, handlers, partitions]) => ({
        sessions,
        tsSource,
        graceMs,
        handlers,
        partitions: handlers === 'fail' ? 1 : partitions,
      }))
  );
}

// ---------------------------------------------------------------------------------------------
// The model.

export type Fate =
  | { readonly fate: 'dead-letter'; readonly why: string }
  | { readonly fate: 'on-time'; readonly key: string; readonly windowStart: number }
  | { readonly fate: 'late'; readonly key: string };

export interface ModelOptions {
  /** Records more than this far ahead of the wall clock are dead-lettered; undefined = no limit. */
  readonly maxFutureSkewMs?: number;
  /** Invalid UTF-8 in a value is refused (dead-lettered) rather than decoded with U+FFFD. */
  readonly strictUtf8: boolean;
  /**
   * The count operator's clock after a restart: `seeded` with the window store's recovered time
   * (its largest window start), as the runtime does since #19's restart-expiry loss was fixed; or
   * `reset` (-1), the old behaviour, under which a record whose window the store had already
   * expired was lost silently (the model counts such records in `restartExpiryHits`).
   */
  readonly restart: 'reset' | 'seeded';
}

export interface ModelRow {
  readonly id: number;
  readonly k: string;
  readonly part: string | null;
  readonly amount: number;
  readonly ts: number;
  readonly note: string | null;
}

export interface Position {
  readonly partition: number;
  readonly offset: number;
}

export interface ModelResult {
  /** One fate per input record, by record id (production order). */
  readonly fates: readonly Fate[];
  /** Where each record was produced, by record id. */
  readonly positions: readonly Position[];
  /** Final count per `key@windowStart`. */
  readonly counts: ReadonlyMap<string, number>;
  /** Rows of the Delta table, in the table's spelling of the amount column. */
  readonly rows: readonly ModelRow[];
  readonly amountColumn: 'amount' | 'Amount';
  /** Records accepted by a reset clock into a window the store had expired (see ModelOptions.restart). */
  readonly restartExpiryHits: number;
}

function timestampValid(ms: number | null, options: ModelOptions): boolean {
  if (ms === null || ms > MAX_TIMESTAMP_MS) return false;
  return options.maxFutureSkewMs === undefined || ms <= WALL_MS + options.maxFutureSkewMs;
}

/** Delta refuses these partition values (the row is dead-lettered with the reason). */
export function partitionRefused(part: string | null): boolean {
  if (part === null) return false;
  if (part === '' || part === HIVE_NULL) return true;
  // Only the generated long values can reach the limit, and they contain no escaped characters.
  return Buffer.byteLength(`part=${part}`) > 255;
}

/**
 * What the fuzz topology must do with a case: a windowed count (1 s tumbling, `graceMs`) per
 * key over valid records, a Delta row for every valid record whose partition value Delta accepts
 * (the sink comes first: a refused row is dead-lettered and never counted). The count operator's
 * stream time starts over at every restart (as Kafka Streams' observed stream time does).
 */
export function model(c: FuzzCase, options: ModelOptions): ModelResult {
  const fates: Fate[] = [];
  const positions: Position[] = [];
  const counts = new Map<string, number>();
  const rows: ModelRow[] = [];
  const amountColumn = c.sessions[0]!.variant === 'A' ? 'amount' : 'Amount';
  const n = c.partitions ?? 1;
  let id = 0;
  // Per input partition (one task each): the next offset, the window store's observed time (its
  // largest window start put; survives restarts) and the count operator's clock.
  const offsets = new Array<number>(n).fill(0);
  const storeTime = new Array<number>(n).fill(-1);
  const streamTime = new Array<number>(n).fill(-1);
  let restartExpiryHits = 0;
  const grace = c.graceMs ?? GRACE_CHOICES[0];
  const retention = WINDOW_MS + grace;
  const tsSource = c.tsSource ?? 'field';
  for (const s of c.sessions) {
    for (let p = 0; p < n; p++) streamTime[p] = options.restart === 'seeded' ? storeTime[p]! : -1;
    for (const r of s.records) {
      const myId = id++;
      const p = partitionOfKey(recordKeyOf(r, myId), n);
      positions.push({ partition: p, offset: offsets[p]!++ });
      const b = r.body;
      const time = eventTime(r, tsSource);
      // The record timestamp is checked before the value is read (the default extractor).
      if (tsSource === 'record' && !timestampValid(time.ms, options)) {
        fates.push({ fate: 'dead-letter', why: 'invalid record timestamp' });
        continue;
      }
      if (b.kind === 'null-value') {
        fates.push({ fate: 'dead-letter', why: 'null value' });
        continue;
      }
      if (b.kind === 'malformed-json') {
        fates.push({ fate: 'dead-letter', why: 'malformed JSON' });
        continue;
      }
      if (b.kind === 'schema') {
        fates.push({ fate: 'dead-letter', why: 'schema' });
        continue;
      }
      if (b.kind === 'invalid-utf8' && options.strictUtf8) {
        fates.push({ fate: 'dead-letter', why: 'invalid UTF-8' });
        continue;
      }
      const ts = time.ms;
      if (ts === null || !timestampValid(ts, options)) {
        fates.push({ fate: 'dead-letter', why: 'invalid timestamp' });
        continue;
      }
      if (partitionRefused(b.part)) {
        fates.push({ fate: 'dead-letter', why: 'partition value' });
        continue;
      }
      const amount = b.kind === 'valid' ? b.amount : 1;
      rows.push({ id: myId, k: b.k, part: b.part, amount, ts, note: s.variant === 'B' ? `n${myId}` : null });
      if (ts > streamTime[p]!) streamTime[p] = ts;
      const start = Math.floor(ts / WINDOW_MS) * WINDOW_MS;
      if (start + WINDOW_MS + grace > streamTime[p]!) {
        if (start > storeTime[p]!) storeTime[p] = start;
        if (start < storeTime[p]! - retention + 1) restartExpiryHits++;
        const key = `${b.k}@${start}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        fates.push({ fate: 'on-time', key: b.k, windowStart: start });
      } else {
        fates.push({ fate: 'late', key: b.k });
      }
    }
  }
  return { fates, positions, counts, rows, amountColumn, restartExpiryHits };
}

/** The Kafka key a record is produced with: its count key when it has one, else one of KEYS by id. */
export function recordKeyOf(r: HostileRecord, id: number): string {
  const b = r.body;
  return 'k' in b ? b.k : KEYS[id % KEYS.length]!;
}

/**
 * The input partition of a key: the harness produces to it explicitly, so the model does not
 * depend on the partitioner; keys never share a partition differently between runs, so the
 * count (grouped by key, no repartition) stays per task.
 */
export function partitionOfKey(key: string, partitions: number): number {
  const i = KEYS.indexOf(key as (typeof KEYS)[number]);
  return (i < 0 ? 0 : i) % partitions;
}
