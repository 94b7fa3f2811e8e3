/**
 * Stateless KTable operators over `Change`s: filter/filterNot, mapValues, toStream, and the
 * groupBy re-keying map (`KTableRepartitionMap`). Old values are computed only when downstream
 * asked for them (`sendOldValues`).
 */
import type { KeyValue } from '../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../topology/processor.js';
import { withKeyValue, withValue } from '../../topology/record.js';
import { change, type Change } from '../change.js';
import type { SendOldValues } from './change-forwarder.js';

abstract class TableProcessor<K, V, KOut, VOut> implements Processor<K, Change<V>, KOut, VOut> {
  protected context!: ProcessorContext<KOut, VOut>;
  init(context: ProcessorContext<KOut, VOut>): void {
    this.context = context;
  }
  abstract process(record: Record<K, Change<V>>): void;
}

export function tableFilterSupplier<K, V>(
  predicate: (key: K, value: V) => boolean,
  negate: boolean,
  flags: SendOldValues,
): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  const keep = (key: K, value: V | null): V | null => (value !== null && predicate(key, value) !== negate ? value : null);
  return () => {
    const sendOld = flags.sendOldValues;
    return new (class extends TableProcessor<K, V, K, Change<V>> {
      process(record: Record<K, Change<V>>): void {
        const newValue = keep(record.key, record.value.newValue);
        const oldValue = sendOld ? keep(record.key, record.value.oldValue) : null;
        if (sendOld && newValue === null && oldValue === null) return;
        this.context.forward(withValue(record, change(newValue, oldValue)));
      }
    })();
  };
}

export function tableMapValuesSupplier<K, V, VR>(mapper: (value: V, key: K) => VR, flags: SendOldValues): ProcessorSupplier<K, Change<V>, K, Change<VR>> {
  return () => {
    const sendOld = flags.sendOldValues;
    return new (class extends TableProcessor<K, V, K, Change<VR>> {
      process(record: Record<K, Change<V>>): void {
        const { newValue, oldValue } = record.value;
        this.context.forward(
          withValue(
            record,
            change(newValue === null ? null : mapper(newValue, record.key), sendOld && oldValue !== null ? mapper(oldValue, record.key) : null),
          ),
        );
      }
    })();
  };
}

export function tableToStreamSupplier<K, V>(): ProcessorSupplier<K, Change<V>, K, V | null> {
  return () =>
    new (class extends TableProcessor<K, V, K, V | null> {
      process(record: Record<K, Change<V>>): void {
        this.context.forward(withValue(record, record.value.newValue));
      }
    })();
}

/**
 * Re-keys table updates for `KTable.groupBy`: the old value is retracted under its old key and
 * the new value added under its new key (one record when both keys are equal).
 */
export function tableRepartitionMapSupplier<K, V, KR, VR>(selector: (key: K, value: V) => KeyValue<KR, VR>): ProcessorSupplier<K, Change<V>, KR, Change<VR>> {
  return () =>
    new (class extends TableProcessor<K, V, KR, Change<VR>> {
      process(record: Record<K, Change<V>>): void {
        const { newValue, oldValue } = record.value;
        const next = newValue === null ? null : selector(record.key, newValue);
        const prev = oldValue === null ? null : selector(record.key, oldValue);
        if (next !== null && prev !== null && Object.is(next.key, prev.key)) {
          this.context.forward(withKeyValue(record, next.key, change(next.value, prev.value)));
          return;
        }
        if (prev !== null) this.context.forward(withKeyValue(record, prev.key, change<VR>(null, prev.value)));
        if (next !== null) this.context.forward(withKeyValue(record, next.key, change<VR>(next.value, null)));
      }
    })();
}
