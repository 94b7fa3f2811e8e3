/**
 * Shared wiring of windowed aggregations: the grouped stream they start from (repartitioned once
 * if the key changed upstream), the optional late-records topic, and the node names.
 */
import { PASS_THROUGH } from '../internal/fusible.js';
import { ConfigError } from '../../errors.js';
import type { Serde } from '../../serde/types.js';
import type { InternalStreamsBuilder } from '../internal/builder.js';
import { ProcessorGraphNode, SinkGraphNode } from '../internal/nodes.js';
import { addRepartition } from '../internal/repartition.js';
import { passThroughSupplier } from '../processors/stream-stateless.js';
import { EventTime } from '../../time/event-time.js';
import type { LateRecordsCallback } from './late-records.js';
import type { WindowedOptions } from './windowed-options.js';

/** What `KGroupedStream.windowedBy` hands over. */
export interface GroupedSource<K, V> {
  readonly builder: InternalStreamsBuilder;
  readonly parent: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly repartitionRequired: boolean;
  readonly groupedName: string | undefined;
}

export interface OperatorWiring<K, V> {
  readonly parent: string;
  readonly eventTime: EventTime;
  readonly lateCallback: LateRecordsCallback<K, V> | null;
  readonly lateChild: string | null;
  readonly emitChild: string | undefined;
  /** Name of the node downstream operators attach to (the operator, or its emit pass-through). */
  readonly outputName: string;
  /** Call after adding the operator node. */
  readonly finish: () => void;
}

export function wireOperator<K, V>(source: GroupedSource<K, V>, options: WindowedOptions<K, V>, funcName: string, storeName: string): OperatorWiring<K, V> {
  const builder = source.builder;
  let parent = source.parent;
  if (source.repartitionRequired) {
    parent = addRepartition(builder, {
      parent,
      prefix: source.groupedName ?? storeName,
      keySerde: source.keySerde,
      valueSerde: source.valueSerde,
      dropNullKeys: true,
    });
  }
  const eventTime = EventTime.check(options.eventTime);
  const late = options.lateRecords;
  if (late === undefined || typeof late === 'function') {
    return { parent, eventTime, lateCallback: late ?? null, lateChild: null, emitChild: undefined, outputName: funcName, finish: () => undefined };
  }
  if (typeof late.topic !== 'string' || late.topic === '')
    throw new ConfigError('windowedBy(..., { lateRecords: { topic } }): topic must be a non-empty string');
  const lateChild = `${funcName}-LATE-RECORDS-SINK`;
  const emitChild = `${funcName}-EMIT`;
  return {
    parent,
    eventTime,
    lateCallback: null,
    lateChild,
    emitChild,
    outputName: emitChild,
    finish: () => {
      const keySerde = late.keySerde ?? source.keySerde;
      const valueSerde = late.valueSerde ?? source.valueSerde;
      builder.addNode(
        new SinkGraphNode(lateChild, funcName, late.topic, {
          ...(keySerde === undefined ? {} : { keySerde }),
          ...(valueSerde === undefined ? {} : { valueSerde }),
        }),
      );
      builder.addNode(new ProcessorGraphNode(emitChild, [funcName], passThroughSupplier(), { fusible: PASS_THROUGH }));
    },
  };
}
