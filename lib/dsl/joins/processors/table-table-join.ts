/**
 * Table-table join processors (`KTable.join/leftJoin/outerJoin(KTable)`), one per side. Each side
 * keeps its own copy of its input table in a timestamped key-value store, written from the
 * updates it receives: lookups then always agree with the updates already seen, whatever caching
 * the input tables do, and the previous value of this side is known exactly. An update of this
 * side writes its store, looks up the other side's store and emits the change of the joined row.
 * Both sides trigger. The output timestamp is the max of the update's and the other value's.
 * A deletion (or an update that leaves no row) emits a tombstone only if the key was in the
 * result; nothing is emitted when there is no row before and after.
 *
 * Which rows exist: inner — both sides present; left — the left side present; outer — either.
 */
import type { TimestampedKeyValueStore } from '../../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../../topology/processor.js';
import { createRecord } from '../../../topology/record.js';
import { change, type Change } from '../../change.js';
import type { SendOldValues } from '../../processors/change-forwarder.js';
import type { ValueJoiner } from '../value-joiner.js';
import { countDropped, isNullish } from './dropped.js';

export type TableJoinKind = 'inner' | 'left' | 'outer';

export interface TableTableJoinSpec<K, V1, V2, VR> {
  readonly leftStore: string;
  readonly rightStore: string;
  readonly kind: TableJoinKind;
  readonly joiner: ValueJoiner<V1 | null, V2 | null, VR, K>;
  /** Set by the DSL until build: whether downstream needs old values. */
  readonly flags: SendOldValues;
}

export function tableTableJoinSupplier<K, V1, V2, VR>(
  spec: TableTableJoinSpec<K, V1, V2, VR>,
  thisIsLeft: boolean,
): ProcessorSupplier<K, Change<V1 | V2>, K, Change<VR>> {
  return () => new TableTableJoin(spec, thisIsLeft, spec.flags.sendOldValues);
}

class TableTableJoin<K, V1, V2, VR> implements Processor<K, Change<V1 | V2>, K, Change<VR>> {
  private context!: ProcessorContext<K, Change<VR>>;
  private mine!: TimestampedKeyValueStore<K, V1 | V2>;
  private other!: TimestampedKeyValueStore<K, V1 | V2>;

  constructor(
    private readonly spec: TableTableJoinSpec<K, V1, V2, VR>,
    private readonly thisIsLeft: boolean,
    private readonly sendOldValues: boolean,
  ) {}

  init(context: ProcessorContext<K, Change<VR>>): void {
    this.context = context;
    this.mine = context.getStateStore(this.thisIsLeft ? this.spec.leftStore : this.spec.rightStore);
    this.other = context.getStateStore(this.thisIsLeft ? this.spec.rightStore : this.spec.leftStore);
  }

  process(record: Record<K, Change<V1 | V2>>): void {
    if (isNullish(record.key)) return countDropped(this.context);
    const newValue = record.value.newValue;
    const previous = this.mine.get(record.key);
    const oldValue = previous === undefined ? null : previous.value;
    if (newValue === null && oldValue === null) return;
    this.mine.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
    const found = this.other.get(record.key);
    const other = found === undefined ? null : found.value;
    const newRow = this.row(newValue, other, record.key);
    const oldRow = this.row(oldValue, other, record.key);
    if (newRow === NONE && oldRow === NONE) return;
    const ts = found === undefined ? record.timestamp : Math.max(record.timestamp, found.timestamp);
    const out = change<VR>(newRow === NONE ? null : newRow, this.sendOldValues && oldRow !== NONE ? oldRow : null);
    this.context.forward(createRecord(record.key, out, ts, record.headers));
  }

  /** The joined row for this side's value `mine` and the other side's `other`, or NONE when the row does not exist. */
  private row(mine: V1 | V2 | null, other: V1 | V2 | null, key: K): VR | typeof NONE {
    const left = (this.thisIsLeft ? mine : other) as V1 | null;
    const right = (this.thisIsLeft ? other : mine) as V2 | null;
    const kind = this.spec.kind;
    const exists = kind === 'inner' ? left !== null && right !== null : kind === 'left' ? left !== null : left !== null || right !== null;
    return exists ? this.spec.joiner(left, right, key) : NONE;
  }
}

const NONE: unique symbol = Symbol('no row');
