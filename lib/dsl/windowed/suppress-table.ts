/** `KTable.suppress` for the DSL: adds the suppress processor and its buffer store. */
import { ConfigError } from '../../errors.js';
import type { Serde } from '../../serde/types.js';
import type { InternalStreamsBuilder } from '../internal/builder.js';
import { KTableImpl } from '../internal/ktable-impl.js';
import { ProcessorGraphNode } from '../internal/nodes.js';
import { requireSerde } from '../internal/stores.js';
import type { KTable } from '../ktable.js';
import { fusesWithTimeWindows, SuppressProcessor, suppressSupplier, type SuppressOptions } from './processors/suppress.js';
import type { FinalResultsSuppressFusible } from '../internal/fusible.js';
import type { Windowed } from '../../state/types.js';
import { SuppressionBufferBuilder } from './suppression-buffer.js';
import type { Suppressed } from './suppressed.js';

/**
 * `emitOnWindowClose`: the suppression stands for `emitStrategy(onWindowClose)`, under which Kafka
 * Streams emits a session once `end < streamTime - gap - grace` (its suppression: `<=`).
 */
export function suppressTable<K, V>(table: KTableImpl<K, V>, suppressed: Suppressed, emitOnWindowClose = false): KTable<K, V> {
  const builder: InternalStreamsBuilder = table.builder;
  const info = table.windowed ?? undefined;
  if (suppressed.kind === 'window-close' && info === undefined) {
    throw new ConfigError(
      'suppress(Suppressed.untilWindowCloses(...)) must be applied directly to the result of a windowed aggregation ' +
        "(windowedBy(...).count/reduce/aggregate): it needs the windows' grace period",
    );
  }
  const name = suppressed.name ?? builder.newProcessorName('KTABLE-SUPPRESS-'); // Kafka Streams burns no counter value for a named suppression
  const storeName = suppressed.name !== undefined ? `${suppressed.name}-store` : builder.newStoreName('KTABLE-SUPPRESS-');
  const flags = { sendOldValues: false };
  // Final results of time windows: the buffer logs only how far it emitted and is rebuilt from the window store.
  const derived = suppressed.kind === 'window-close' && info!.kind === 'time' && suppressed.logging !== null;
  const needsValueSerde = (suppressed.logging !== null && !derived) || Number.isFinite(suppressed.bufferConfig.maxBytes);
  const keySerde = table.keySerde;
  const valueSerde = table.valueSerde;
  const options: SuppressOptions = {
    processorName: name,
    bufferStoreName: storeName,
    upstreamStoreName: info?.storeName ?? null,
    upstreamClock: info?.clock ?? null,
    suppressMs: suppressed.kind === 'window-close' ? info!.closeAfterMs : suppressed.timeLimitMs,
    inclusiveEnd: info !== undefined && (info.kind === 'sliding' || (emitOnWindowClose && info.kind === 'session')),
    flags,
  };
  const fusible: FinalResultsSuppressFusible | null =
    info !== undefined && fusesWithTimeWindows(suppressed, options, info.kind)
      ? {
          kind: 'final-results-suppress',
          aggregation: info.processorName,
          create: (emitTo) => new SuppressProcessor<Windowed<unknown>, unknown>(suppressed, options, emitTo),
        }
      : null;
  builder.addNode(
    new ProcessorGraphNode(name, [table.name], suppressSupplier<K, V>(suppressed, options), {
      ...(fusible === null ? {} : { fusible }),
      stores: () => [
        new SuppressionBufferBuilder<K, V>(
          storeName,
          requireSerde<K>(builder, 'key', storeName, keySerde),
          needsValueSerde ? requireSerde<V>(builder, 'value', storeName, valueSerde) : ((valueSerde as Serde<V> | undefined) ?? null),
          suppressed.logging,
          Number.isFinite(suppressed.bufferConfig.maxBytes),
          derived,
        ),
      ],
      ...(info === undefined ? {} : { implementationStores: [info.storeName] }),
    }),
  );
  const parent = table.lineage;
  return new KTableImpl<K, V>(builder, name, keySerde, valueSerde, {
    queryableStoreName: () => null,
    enableSendingOldValues: () => {
      parent.enableSendingOldValues();
      flags.sendOldValues = true;
    },
  });
}
