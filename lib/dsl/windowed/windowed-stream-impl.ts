/** `TimeWindowedKStream` (time and sliding windows) and `SessionWindowedKStream` implementations. */
import { ConfigError } from '../../errors.js';
import { Serdes } from '../../serde/serdes.js';
import type { Serde } from '../../serde/types.js';
import { Stores } from '../../state/stores.js';
import type { StoreBuilder, Windowed } from '../../state/types.js';
import { valueAndTimestampSerde } from '../../state/value-and-timestamp-serde.js';
import { KTableImpl } from '../internal/ktable-impl.js';
import type { ProcessorGraphNode } from '../internal/nodes.js';
import { type UpstreamTopics, WindowedOperatorNode } from './operator-node.js';
import { requireSerde, storeNameFor } from '../internal/stores.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../options/materialized.js';
import type { Named } from '../options/named.js';
import { EmitStrategy } from '../windows/emit-strategy.js';
import type { SessionWindows } from '../windows/session-windows.js';
import type { SlidingWindows } from '../windows/sliding-windows.js';
import type { TimeWindows } from '../windows/time-windows.js';
import { type GroupedSource, wireOperator } from './grouped-source.js';
import { sessionWindowAggregateSupplier, type SessionMerger } from './processors/session-window-aggregate.js';
import { slidingWindowAggregateSupplier } from './processors/sliding-window-aggregate.js';
import { timeWindowAggregateSupplier, type WindowAggregateStep } from './processors/time-window-aggregate.js';
import { eventTimeSlot, type WindowOperatorOptions } from './processors/window-aggregate-base.js';
import type { SessionWindowedKStream } from './session-windowed-kstream.js';
import { suppressTable } from './suppress-table.js';
import { fusedWindowSuppressSupplier } from './processors/fused-window-suppress.js';
import type { SuppressProcessor } from './processors/suppress.js';
import type { WindowAggregateFusible } from '../internal/fusible.js';
import { BufferConfig, Suppressed } from './suppressed.js';
import type { TimeWindowedKStream } from './time-windowed-kstream.js';
import type { WindowedOptions } from './windowed-options.js';
import { ignoringValue } from '../processors/value-blind.js';

type AnyMaterialized = Materialized<unknown, unknown> | undefined;

function retentionOf(materialized: AnyMaterialized, minimum: number, what: string): number {
  const r = materialized?.options.retentionMs;
  if (r === undefined) return minimum;
  if (!Number.isSafeInteger(r) || r < minimum) {
    throw new ConfigError(`Materialized.withRetention(retention) for ${what} must be at least window size + grace = ${minimum} ms, got ${String(r)}`);
  }
  return r;
}

function configure<
  B extends {
    withCachingEnabled(maxBytes?: number): B;
    withCachingDisabled(): B;
    withLoggingEnabled(c?: Readonly<Record<string, string>>): B;
    withLoggingDisabled(): B;
  },
>(b: B, materialized: AnyMaterialized): B {
  const o = materialized?.options;
  b = o === undefined || o.caching ? b.withCachingEnabled(o?.cacheMaxBytes) : b.withCachingDisabled();
  return o === undefined || o.logging !== null ? b.withLoggingEnabled(o?.logging ?? {}) : b.withLoggingDisabled();
}

abstract class WindowedStreamBase<K, V> {
  protected emit: EmitStrategy = EmitStrategy.onWindowUpdate();

  constructor(
    protected readonly source: GroupedSource<K, V>,
    protected readonly options: WindowedOptions<K, V>,
  ) {}

  protected abstract get graceMs(): number;
  /** How long after its end a window closes (records for it are late after that). */
  protected get closeAfterMs(): number {
    return this.graceMs;
  }
  protected abstract get kind(): 'time' | 'sliding' | 'session';
  protected abstract windowedKeySerde(keySerde: Serde<K> | undefined): Serde<Windowed<K>> | undefined;

  /** Adds the operator node; returns the table (suppressed when emitting on window close). */
  protected build<VA>(
    prefix: string,
    operator: string,
    materialized: Materialized<K, VA> | undefined,
    named: Named | undefined,
    defaultValueSerde: Serde<VA> | undefined,
    makeSupplier: (opts: WindowOperatorOptions<K, V>, storeName: string) => ConstructorParameters<typeof ProcessorGraphNode>[2],
    makeStore: (storeName: string, keySerde: Serde<K>, valueSerde: Serde<VA>) => StoreBuilder,
    makeFusible: ((opts: WindowOperatorOptions<K, V>) => WindowAggregateFusible) | null = null,
  ): KTable<Windowed<K>, VA> {
    const builder = this.source.builder;
    const storeName = storeNameFor(builder, materialized as AnyMaterialized, prefix, operator);
    const funcName = builder.nameOrGenerate(named?.name, prefix);
    const wiring = wireOperator(this.source, this.options, funcName, storeName);
    const keySerde = materialized?.options.keySerde ?? this.source.keySerde;
    const valueSerde = materialized?.options.valueSerde ?? defaultValueSerde;
    const flags = { sendOldValues: false };
    const upstream: UpstreamTopics = { topics: [], internal: new Set() };
    const clock = eventTimeSlot(funcName, wiring.eventTime, upstream);
    const opts: WindowOperatorOptions<K, V> = {
      clock,
      processorName: funcName,
      storeName,
      graceMs: this.graceMs,
      closeAfterMs: this.closeAfterMs,
      eventTime: wiring.eventTime,
      lateCallback: wiring.lateCallback,
      lateChild: wiring.lateChild,
      emitChild: wiring.emitChild,
      flags,
    };
    builder.addNode(
      new WindowedOperatorNode(
        funcName,
        [wiring.parent],
        makeSupplier(opts, storeName),
        () => [makeStore(storeName, requireSerde(builder, 'key', storeName, keySerde), requireSerde(builder, 'value', storeName, valueSerde))],
        upstream,
        makeFusible === null ? null : makeFusible(opts),
      ),
    );
    wiring.finish();
    const table = new KTableImpl<Windowed<K>, VA>(
      builder,
      wiring.outputName,
      this.windowedKeySerde(keySerde ?? (builder.options.defaultKeySerde as Serde<K> | undefined)),
      valueSerde,
      {
        queryableStoreName: () => storeName,
        enableSendingOldValues: () => {
          flags.sendOldValues = true;
        },
      },
      { processorName: funcName, storeName, graceMs: this.graceMs, closeAfterMs: this.closeAfterMs, kind: this.kind, clock },
    );
    // Kafka Streams emits on close from the aggregate itself and consumes no counter value for it:
    // the suppression standing for it is named after the aggregate (docs/divergences.md,
    // describe-emit-on-window-close-node), so later generated names agree.
    if (this.emit.type === 'on-window-close') {
      return suppressTable(table, Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName(`${funcName}-on-window-close`), true);
    }
    return table;
  }
}

function countStep<K, V>(): WindowAggregateStep<K, V, number> {
  return ignoringValue<WindowAggregateStep<K, V, number>>((_k, _v, agg) => (agg ?? 0) + 1);
}

// A window without an aggregate (none yet, or deleted by a null one) starts over, as in Kafka Streams.
function reduceStep<K, V>(reducer: (aggregate: V, value: V) => V): WindowAggregateStep<K, V, V> {
  return (_k, v, agg) => (agg === undefined || agg === null ? v : reducer(agg, v));
}

function aggregateStep<K, V, VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA): WindowAggregateStep<K, V, VA> {
  return (k, v, agg) => aggregator(k, v, agg === undefined || agg === null ? initializer() : agg);
}

export class TimeWindowedKStreamImpl<K, V> extends WindowedStreamBase<K, V> implements TimeWindowedKStream<K, V> {
  constructor(
    source: GroupedSource<K, V>,
    private readonly windows: TimeWindows | SlidingWindows,
    options: WindowedOptions<K, V> = {},
  ) {
    super(source, options);
  }

  protected get graceMs(): number {
    return this.windows.graceMs;
  }

  protected get kind(): 'time' | 'sliding' {
    return this.windows.kind;
  }

  protected windowedKeySerde(keySerde: Serde<K> | undefined): Serde<Windowed<K>> | undefined {
    if (keySerde === undefined) return undefined;
    // Sliding windows span d ms (inclusive end); the serde writes the start and derives the end.
    return Serdes.timeWindowed(keySerde, Math.max(1, this.windows.sizeMs));
  }

  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V> {
    if (!(strategy instanceof EmitStrategy)) throw new ConfigError('emitStrategy(strategy): use EmitStrategy.onWindowUpdate() or EmitStrategy.onWindowClose()');
    this.emit = strategy;
    return this;
  }

  count(materialized?: Materialized<K, number>, named?: Named): KTable<Windowed<K>, number> {
    return this.with('KSTREAM-AGGREGATE-', 'windowed count', countStep<K, V>(), materialized, named, Serdes.int64());
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>, named?: Named): KTable<Windowed<K>, V> {
    return this.with('KSTREAM-REDUCE-', 'windowed reduce', reduceStep<K, V>(reducer), materialized, named, this.source.valueSerde);
  }

  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    materialized?: Materialized<K, VA>,
    named?: Named,
  ): KTable<Windowed<K>, VA> {
    return this.with('KSTREAM-AGGREGATE-', 'windowed aggregate', aggregateStep(initializer, aggregator), materialized, named, undefined);
  }

  private with<VA>(
    prefix: string,
    operator: string,
    step: WindowAggregateStep<K, V, VA>,
    materialized: Materialized<K, VA> | undefined,
    named: Named | undefined,
    defaultValueSerde: Serde<VA> | undefined,
  ): KTable<Windowed<K>, VA> {
    const w = this.windows;
    const minimum = w.defaultRetentionMs;
    const retention = retentionOf(materialized as AnyMaterialized, minimum, `${operator} (${w.toString()})`);
    const persistent = materialized?.options.storeType !== 'in-memory';
    return this.build<VA>(
      prefix,
      operator,
      materialized,
      named,
      defaultValueSerde,
      (opts) => (w.kind === 'time' ? timeWindowAggregateSupplier(w, step, opts) : slidingWindowAggregateSupplier(w, step, opts)),
      (storeName, keySerde, valueSerde) => {
        // Sliding windows are stored by end and look back 2d+1 for the windows they derive from.
        const internalRetention = w.kind === 'time' ? retention : retention + 2 * w.timeDifferenceMs + 3;
        const size = w.kind === 'time' ? w.sizeMs : 0;
        const supplier = persistent
          ? Stores.persistentTimestampedWindowStore(storeName, internalRetention, size, false)
          : Stores.inMemoryWindowStore(storeName, internalRetention, size, false);
        return configure(Stores.windowStoreBuilder(supplier, keySerde, valueAndTimestampSerde(valueSerde)), materialized as AnyMaterialized);
      },
      w.kind === 'time'
        ? (opts) => ({
            kind: 'window-aggregate',
            emitChild: opts.emitChild ?? null,
            fuse: (suppress, emitTo) => fusedWindowSuppressSupplier(w, step, opts, () => suppress.create(emitTo) as SuppressProcessor<Windowed<K>, VA>),
          })
        : null,
    );
  }
}

export class SessionWindowedKStreamImpl<K, V> extends WindowedStreamBase<K, V> implements SessionWindowedKStream<K, V> {
  constructor(
    source: GroupedSource<K, V>,
    private readonly windows: SessionWindows,
    options: WindowedOptions<K, V> = {},
  ) {
    super(source, options);
  }

  protected get graceMs(): number {
    return this.windows.graceMs;
  }

  protected get kind(): 'session' {
    return 'session';
  }

  /** A session may still be extended by a record up to `inactivityGap` after its end: it closes gap + grace after it. */
  protected override get closeAfterMs(): number {
    return this.windows.inactivityGapMs + this.windows.graceMs;
  }

  protected windowedKeySerde(keySerde: Serde<K> | undefined): Serde<Windowed<K>> | undefined {
    return keySerde === undefined ? undefined : Serdes.sessionWindowed(keySerde);
  }

  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V> {
    if (!(strategy instanceof EmitStrategy)) throw new ConfigError('emitStrategy(strategy): use EmitStrategy.onWindowUpdate() or EmitStrategy.onWindowClose()');
    this.emit = strategy;
    return this;
  }

  count(materialized?: Materialized<K, number>, named?: Named): KTable<Windowed<K>, number> {
    return this.with(
      'KSTREAM-AGGREGATE-',
      'session count',
      () => 0,
      countStep<K, V>(),
      (_k, a, b) => a + b,
      materialized,
      named,
      Serdes.int64(),
    );
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>, named?: Named): KTable<Windowed<K>, V> {
    // `undefined` stands for "no value yet" before the first record or merge.
    const merge: SessionMerger<K, V> = (_k, a, b) => (a === undefined || a === null ? b : b === undefined || b === null ? a : reducer(a, b));
    return this.with('KSTREAM-REDUCE-', 'session reduce', () => undefined as V, reduceStep<K, V>(reducer), merge, materialized, named, this.source.valueSerde);
  }

  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    merger: (key: K, left: VA, right: VA) => VA,
    materialized?: Materialized<K, VA>,
    named?: Named,
  ): KTable<Windowed<K>, VA> {
    if (typeof merger !== 'function') throw new ConfigError('SessionWindowedKStream.aggregate(initializer, aggregator, merger): a session merger is required');
    return this.with('KSTREAM-AGGREGATE-', 'session aggregate', initializer, aggregateStep(initializer, aggregator), merger, materialized, named, undefined);
  }

  private with<VA>(
    prefix: string,
    operator: string,
    initializer: () => VA,
    step: WindowAggregateStep<K, V, VA>,
    merger: SessionMerger<K, VA>,
    materialized: Materialized<K, VA> | undefined,
    named: Named | undefined,
    defaultValueSerde: Serde<VA> | undefined,
  ): KTable<Windowed<K>, VA> {
    const w = this.windows;
    const retention = retentionOf(materialized as AnyMaterialized, w.defaultRetentionMs, `${operator} (${w.toString()})`);
    const persistent = materialized?.options.storeType !== 'in-memory';
    return this.build<VA>(
      prefix,
      operator,
      materialized,
      named,
      defaultValueSerde,
      (opts) => sessionWindowAggregateSupplier(w, initializer, step, merger, opts),
      (storeName, keySerde, valueSerde) => {
        const supplier = persistent ? Stores.persistentSessionStore(storeName, retention) : Stores.inMemorySessionStore(storeName, retention);
        return configure(Stores.sessionStoreBuilder(supplier, keySerde, valueSerde), materialized as AnyMaterialized);
      },
    );
  }
}
