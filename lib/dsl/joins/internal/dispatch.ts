/**
 * Entry points behind `KStream.join/leftJoin/outerJoin` and `KTable.join/leftJoin/outerJoin`:
 * pick the join kind from the arguments (the other side's type; a foreign-key extractor).
 */
import { TributaryError } from '../../../errors.js';
import { KStreamImpl } from '../../internal/kstream-impl.js';
import { KTableImpl } from '../../internal/ktable-impl.js';
import type { KStream } from '../../kstream.js';
import type { GlobalKTable, KTable } from '../../ktable.js';
import type { Materialized } from '../../options/materialized.js';
import type { Named } from '../../options/named.js';
import { JoinWindows } from '../join-windows.js';
import type { Joined } from '../joined.js';
import type { StreamJoined } from '../stream-joined.js';
import type { KeyMapper, ValueJoiner } from '../value-joiner.js';
import { joinForeignKey } from './foreign-key.js';
import { joinStreamGlobalTable, joinStreamTable } from './stream-table.js';
import { joinStreams, type StreamJoinKind } from './stream-stream.js';
import { joinTables } from './table-table.js';

type AnyJoiner = ValueJoiner<any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function streamJoin(self: KStreamImpl<unknown, unknown>, kind: StreamJoinKind, args: readonly unknown[]): KStream<unknown, unknown> {
  const [other, second, third, fourth] = args;
  if (other instanceof KStreamImpl) {
    if (!(third instanceof JoinWindows)) throw usage(`KStream.${kindName(kind)}(stream, joiner, JoinWindows, StreamJoined?): JoinWindows is required`);
    return joinStreams(self, other, second as AnyJoiner, third, fourth as StreamJoined<unknown, unknown, unknown> | undefined, kind);
  }
  if (kind === 'outer') throw usage('KStream.outerJoin joins two streams only (tables: use leftJoin)');
  if (other instanceof KTableImpl) {
    return joinStreamTable(
      self,
      other as KTable<unknown, unknown>,
      second as AnyJoiner,
      third as Joined<unknown, unknown, unknown> | undefined,
      kind === 'left',
    );
  }
  if (isGlobalTable(other)) {
    return joinStreamGlobalTable(self, other, second as KeyMapper<unknown, unknown, unknown>, third as AnyJoiner, fourth as Named | undefined, kind === 'left');
  }
  throw usage(`KStream.${kindName(kind)}: the other side must be a KStream, KTable or GlobalKTable of the same StreamsBuilder`);
}

export function tableJoin(self: KTableImpl<unknown, unknown>, kind: StreamJoinKind, args: readonly unknown[]): KTable<unknown, unknown> {
  const [other, second, third, fourth, fifth] = args;
  if (!(other instanceof KTableImpl)) throw usage(`KTable.${kindName(kind)}: the other side must be a KTable of the same StreamsBuilder`);
  if (typeof third === 'function') {
    if (kind === 'outer') throw usage('KTable.outerJoin has no foreign-key form');
    return joinForeignKey(
      self,
      other as KTable<unknown, unknown>,
      second as (value: unknown, key: unknown) => unknown,
      third as AnyJoiner,
      kind === 'left',
      fourth as Named | undefined,
      fifth as Materialized<unknown, unknown> | undefined,
    );
  }
  return joinTables(
    self,
    other as KTable<unknown, unknown>,
    second as AnyJoiner,
    kind,
    third as Named | undefined,
    fourth as Materialized<unknown, unknown> | undefined,
  );
}

function isGlobalTable(x: unknown): x is GlobalKTable<unknown, unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { queryableStoreName?: unknown }).queryableStoreName === 'string' && !(x instanceof KTableImpl);
}

function kindName(kind: StreamJoinKind): string {
  return kind === 'inner' ? 'join' : kind === 'left' ? 'leftJoin' : 'outerJoin';
}

function usage(message: string): TributaryError {
  return new TributaryError(message, { code: 'TOPOLOGY' });
}
