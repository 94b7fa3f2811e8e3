/**
 * Type-level tests: checked by `npm run typecheck`, never executed. Each `@ts-expect-error`
 * line must fail to compile; if it starts compiling, typecheck fails.
 */
import { StreamsBuilder } from '../../lib/dsl/streams-builder.js';
import { Consumed } from '../../lib/dsl/options/consumed.js';
import { Grouped } from '../../lib/dsl/options/grouped.js';
import { Materialized } from '../../lib/dsl/options/materialized.js';
import { Produced } from '../../lib/dsl/options/produced.js';
import type { KStream } from '../../lib/dsl/kstream.js';
import type { KTable } from '../../lib/dsl/ktable.js';
import { Serdes } from '../../lib/serde/serdes.js';
import { z } from 'zod';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

export function typeTests(): void {
  const b = new StreamsBuilder();
  const tx = Serdes.zod(z.object({ id: z.string(), amount: z.number() }));
  const s = b.stream('tx', Consumed.with(Serdes.string(), tx));
  assertType<Equals<typeof s, KStream<string, { id: string; amount: number }>>>();

  // Types flow through the chain.
  const amounts = s.mapValues((v) => v.amount);
  assertType<Equals<typeof amounts, KStream<string, number>>>();
  const rekeyed = s.map((k, v) => ({ key: v.amount, value: k }));
  assertType<Equals<typeof rekeyed, KStream<number, string>>>();
  const counts = s.groupByKey().count();
  assertType<Equals<typeof counts, KTable<string, number>>>();
  // prettier-ignore
  const sums = s.groupByKey().aggregate(() => 0, (_k, v, agg) => agg + v.amount, Materialized.as('sums'));
  assertType<Equals<typeof sums, KTable<string, number>>>();
  const stream = counts.toStream();
  assertType<Equals<typeof stream, KStream<string, number | null>>>();

  // Matching serdes compile.
  amounts.to('out', Produced.with(Serdes.string(), Serdes.double()));
  stream.to('out', Produced.with(Serdes.string(), Serdes.int64()));
  s.groupBy((_k, v) => v.amount, Grouped.with(Serdes.double(), tx));

  // @ts-expect-error value serde does not match the stream's value type
  amounts.to('out', Produced.with(Serdes.string(), Serdes.string()));
  // @ts-expect-error key serde does not match the stream's key type
  amounts.to('out', Produced.with(Serdes.int32(), Serdes.double()));
  // @ts-expect-error the lambda reads a field the value does not have
  s.filter((_k, v) => v.missing > 0);
  // @ts-expect-error the predicate must return a boolean
  s.filter((_k, v) => v.amount);
  // prettier-ignore
  // @ts-expect-error the aggregator must return the aggregate type
  s.groupByKey().aggregate(() => 0, (_k, v) => v.id);
  // @ts-expect-error Materialized for the wrong value type
  s.groupByKey().count(Materialized.with(Serdes.string(), Serdes.string()));
  // @ts-expect-error Grouped serde for the wrong key type
  s.groupBy((_k, v) => v.amount, Grouped.with(Serdes.string(), tx));
  // @ts-expect-error map must return a key/value pair
  s.map((k) => k);
  // @ts-expect-error merge needs the same types
  s.merge(amounts);
}
