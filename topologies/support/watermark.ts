/**
 * A watermark for stateless pipelines — Spark's `withWatermark(column, delay)` on a stream that
 * is not aggregated. Stateless, record-by-record; reads the task's stream time (the max event
 * time seen on the task's input partition, the current record included).
 *
 * A record is late when `timestamp < streamTime - grace` (Spark: event time older than the
 * watermark `max event time - delay`). Late records are counted in the task's `dropped` metric and
 * forwarded as `{ late: true }` with `tributary.late.*` headers (reason `watermark`, stream time,
 * watermark, grace, task, processor), so the caller can route them to a late-records topic with
 * `split()`; on-time records are forwarded as `{ late: false }` with their headers unchanged.
 * See docs/event-time.md for the windowed equivalent (`windowedBy(..., { lateRecords })`).
 */
import { LATE_HEADER_PREFIX, type Processor, type ProcessorContext, type ProcessorSupplier, type Record } from '../../lib/index.js';

export interface Checked<V> {
  readonly late: boolean;
  readonly value: V;
}

interface DropCounting {
  recordDropped?(): void;
}

class WatermarkProcessor<K, V> implements Processor<K, V, K, Checked<V>> {
  private context!: ProcessorContext<K, Checked<V>>;

  constructor(
    private readonly graceMs: number,
    private readonly name: string,
  ) {}

  init(context: ProcessorContext<K, Checked<V>>): void {
    this.context = context;
  }

  process(record: Record<K, V>): void {
    const streamTime = this.context.currentStreamTimeMs();
    const watermark = streamTime - this.graceMs;
    if (record.timestamp >= watermark) {
      this.context.forward({ key: record.key, value: { late: false, value: record.value }, timestamp: record.timestamp, headers: record.headers });
      return;
    }
    // A tributary runtime counts it as dropped; a hand-made context without the extension does not.
    (this.context as unknown as DropCounting).recordDropped?.();
    const headers = {
      ...record.headers,
      [`${LATE_HEADER_PREFIX}reason`]: Buffer.from('watermark'),
      [`${LATE_HEADER_PREFIX}processor`]: Buffer.from(this.name),
      [`${LATE_HEADER_PREFIX}task`]: Buffer.from(this.context.taskId),
      [`${LATE_HEADER_PREFIX}grace.ms`]: Buffer.from(String(this.graceMs)),
      [`${LATE_HEADER_PREFIX}stream.time`]: Buffer.from(String(streamTime)),
      [`${LATE_HEADER_PREFIX}watermark`]: Buffer.from(String(watermark)),
    };
    this.context.forward({ key: record.key, value: { late: true, value: record.value }, timestamp: record.timestamp, headers });
  }
}

/** A processor supplier for `KStream.processValues`: marks each record late or on time (see the module doc). */
export function watermark<K, V>(graceMs: number, name = 'watermark'): ProcessorSupplier<K, V, K, Checked<V>> {
  if (!(Number.isFinite(graceMs) && graceMs >= 0)) throw new RangeError(`watermark grace must be >= 0 ms, got ${graceMs}`);
  return () => new WatermarkProcessor<K, V>(graceMs, name);
}
