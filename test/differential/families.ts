/**
 * The topology families of the differential suite, built with tributary's DSL. Each must build
 * exactly what kafka-streams/src/main/java/tributary/diff/Families.java builds with Kafka
 * Streams: same topics, same value functions, caching off, in-memory stores. Family names are
 * `<kind>-<variant>`:
 *
 *   tumbling|hopping|sliding|session - count|reduce|aggregate   params: mode=plain|suppress|close,
 *        size, advance (hopping), diff (sliding), gap (session), grace        input `in`
 *   ss-inner|left|outer   stream-stream join; diff, grace, after?              `left`, `right`
 *   st-inner|left         stream-table join                                    `left`, `right`
 *   tt-inner|left|outer   table-table join                                     `left`, `right`
 *   fk-inner|left         foreign-key table join (fk = "f" + value % 3)         `left`, `right`
 *   tgroup-count|reduce|aggregate  KTable.groupBy with adder/subtractor        `in`
 *   selectkey-count|repartition    selectKey then groupByKey().count() / repartition()  `in`
 *   split-merge           split into three branches, two merged back          `in` → `out`, `out-b`
 *
 * Windowed keys are written as `key@start/end` so both engines produce plain string keys.
 */
import { Branched } from '../../lib/dsl/options/branched.js';
import { Consumed } from '../../lib/dsl/options/consumed.js';
import { Materialized } from '../../lib/dsl/options/materialized.js';
import { Named } from '../../lib/dsl/options/named.js';
import { Produced } from '../../lib/dsl/options/produced.js';
import { JoinWindows } from '../../lib/dsl/joins/join-windows.js';
import { StreamJoined } from '../../lib/dsl/joins/stream-joined.js';
import type { KStream } from '../../lib/dsl/kstream.js';
import type { KTable } from '../../lib/dsl/ktable.js';
import { StreamsBuilder } from '../../lib/dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../lib/dsl/windowed/suppressed.js';
import { EmitStrategy } from '../../lib/dsl/windows/emit-strategy.js';
import { SessionWindows } from '../../lib/dsl/windows/session-windows.js';
import { SlidingWindows } from '../../lib/dsl/windows/sliding-windows.js';
import { TimeWindows } from '../../lib/dsl/windows/time-windows.js';
import { Serdes } from '../../lib/serde/serdes.js';
import type { Windowed } from '../../lib/state/types.js';
import type { Topology } from '../../lib/topology/topology.js';

type Params = Readonly<Record<string, number | string>>;
type V = number | null;

const str = Serdes.string();
const i64 = Serdes.int64();
const C = (): Consumed<string, number> => Consumed.with(str, i64);
const P = <T extends V = V>(): Produced<string, T> => Produced.with(str, i64) as unknown as Produced<string, T>;

/** A null value enters user functions as 500 so that "null reached the function" shows in the output. */
const n = (v: V): number => (v === null ? 500 : v);
const order = (agg: number, v: number): number => (agg * 31 + v) % 1000003;
const joiner = (l: V, r: V): number => (l === null ? 99 : l) * 100 + (r === null ? 99 : r);
const fmt = (w: Windowed<string | null>): string => `${w.key === null ? '~' : w.key}@${w.window.start}/${w.window.end}`;

let storeSeq = 0;
/** In-memory, caching off (the Java side sets the cache to 0 bytes and default.dsl.store=in_memory). */
function mat<VA>(): Materialized<string, VA> {
  return Materialized.as<string, VA>(`store-${storeSeq++}`).withStoreType('in-memory').withCachingDisabled();
}

function num(p: Params, name: string): number {
  const v = p[name];
  if (typeof v !== 'number') throw new Error(`missing numeric parameter ${name}`);
  return v;
}

export interface BuiltFamily {
  readonly topology: Topology;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** `topic` names the topics (default: `in`, `left`, `right`, `out`, `out-b` as they are). */
export function buildFamily(family: string, p: Params, T: (topic: string) => string = (t) => t): BuiltFamily {
  const [kind, variant] = family.split('-') as [string, string];
  // The Java side sets default key/value serdes (String, Long) in its StreamsConfig.
  const b = new StreamsBuilder({ defaultKeySerde: str, defaultValueSerde: i64, logger: () => {} });
  switch (kind) {
    case 'tumbling':
    case 'hopping':
    case 'sliding':
    case 'session':
      windowed(b, kind, variant, p, T);
      return { topology: b.build(), inputs: [T('in')], outputs: [T('out')] };
    case 'ss': {
      const l = b.stream(T('left'), C());
      const r = b.stream(T('right'), C());
      let w = JoinWindows.ofTimeDifferenceAndGrace(num(p, 'diff'), num(p, 'grace'));
      if (p['after'] !== undefined) w = w.after(num(p, 'after'));
      const sj = StreamJoined.with(str, i64, i64).withStoreType('in-memory');
      const j: KStream<string, number> =
        variant === 'inner' ? l.join(r, joiner, w, sj) : variant === 'left' ? l.leftJoin(r, joiner, w, sj) : l.outerJoin(r, joiner, w, sj);
      j.to(T('out'), P<number>());
      return { topology: b.build(), inputs: [T('left'), T('right')], outputs: [T('out')] };
    }
    case 'st': {
      const l = b.stream(T('left'), C());
      const t = b.table(T('right'), C(), mat<number>());
      const j: KStream<string, number> = variant === 'inner' ? l.join(t, joiner) : l.leftJoin(t, joiner);
      j.to(T('out'), P<number>());
      return { topology: b.build(), inputs: [T('left'), T('right')], outputs: [T('out')] };
    }
    case 'tt': {
      const l = b.table(T('left'), C(), mat<number>());
      const r = b.table(T('right'), C(), mat<number>());
      const j: KTable<string, number> =
        variant === 'inner'
          ? l.join(r, joiner, undefined, mat())
          : variant === 'left'
            ? l.leftJoin(r, joiner, undefined, mat())
            : l.outerJoin(r, joiner, undefined, mat());
      j.toStream().to(T('out'), P());
      return { topology: b.build(), inputs: [T('left'), T('right')], outputs: [T('out')] };
    }
    case 'fk': {
      const l = b.table(T('left'), C(), mat<number>());
      const r = b.table(T('right'), C(), mat<number>());
      const fk = (v: number): string => `f${v % 3}`;
      const j: KTable<string, number> = variant === 'inner' ? l.join(r, fk, joiner, undefined, mat()) : l.leftJoin(r, fk, joiner, undefined, mat());
      j.toStream().to(T('out'), P());
      return { topology: b.build(), inputs: [T('left'), T('right')], outputs: [T('out')] };
    }
    case 'tgroup': {
      const t = b.table(T('in'), C(), mat<number>());
      const g = t.groupBy((_k, v) => ({ key: `g${v % 3}`, value: v }));
      const agg: KTable<string, number> =
        variant === 'count'
          ? g.count(mat())
          : variant === 'reduce'
            ? g.reduce(
                (a, v) => a + v,
                (a, v) => a - v,
                mat(),
              )
            : g.aggregate(
                () => 0,
                (_k, v, a) => a + v * 10,
                (_k, v, a) => a - v,
                mat(),
              );
      agg.toStream().to(T('out'), P());
      return { topology: b.build(), inputs: [T('in')], outputs: [T('out')] };
    }
    case 'selectkey': {
      const s = b.stream(T('in'), C()).selectKey((_k, v: V) => `k${n(v) % 3}`);
      if (variant === 'count') s.groupByKey().count(mat()).toStream().to(T('out'), P());
      else
        s.repartition()
          .mapValues((v: V) => (v === null ? null : v + 1))
          .to(T('out'), P());
      return { topology: b.build(), inputs: [T('in')], outputs: [T('out')] };
    }
    case 'split': {
      const s = b.stream(T('in'), C()) as KStream<string, V>;
      const m = s
        .split(Named.as('s-'))
        .branch((_k, v) => n(v) % 3 === 0, Branched.as('a'))
        .branch((_k, v) => n(v) % 3 === 1, Branched.as('b'))
        .defaultBranch(Branched.as('c'));
      m.get('s-a')!
        .merge(m.get('s-c')!.mapValues((v) => (v === null ? null : v * 10)))
        .to(T('out'), P());
      m.get('s-b')!.to(T('out-b'), P());
      return { topology: b.build(), inputs: [T('in')], outputs: [T('out'), T('out-b')] };
    }
    default:
      throw new Error(`unknown family ${family}`);
  }
}

function windowed(b: StreamsBuilder, kind: string, agg: string, p: Params, T: (topic: string) => string): void {
  const g = b.stream(T('in'), C()).groupByKey();
  const mode = p['mode'] ?? 'plain';
  const grace = num(p, 'grace');
  let t: KTable<Windowed<string>, number>;
  if (kind === 'session') {
    let s = g.windowedBy(SessionWindows.ofInactivityGapAndGrace(num(p, 'gap'), grace));
    if (mode === 'close') s = s.emitStrategy(EmitStrategy.onWindowClose());
    t =
      agg === 'count'
        ? s.count(mat())
        : agg === 'reduce'
          ? s.reduce((a: V, v: V) => n(a) + n(v), mat())
          : s.aggregate(
              () => 0,
              (_k, v: V, a) => order(a, n(v)),
              (_k, x, y) => (x + y) % 1000003,
              mat(),
            );
  } else {
    let s =
      kind === 'sliding'
        ? g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(num(p, 'diff'), grace))
        : g.windowedBy(
            kind === 'hopping'
              ? TimeWindows.ofSizeAndGrace(num(p, 'size'), grace).advanceBy(num(p, 'advance'))
              : TimeWindows.ofSizeAndGrace(num(p, 'size'), grace),
          );
    if (mode === 'close') s = s.emitStrategy(EmitStrategy.onWindowClose());
    t =
      agg === 'count'
        ? s.count(mat())
        : agg === 'reduce'
          ? s.reduce((a: V, v: V) => n(a) + n(v), mat())
          : s.aggregate(
              () => 0,
              (_k, v: V, a) => order(a, n(v)),
              mat(),
            );
  }
  if (mode === 'suppress') t = t.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
  t.toStream()
    .map((w, v) => ({ key: fmt(w), value: v }))
    .to(T('out'), P());
}
