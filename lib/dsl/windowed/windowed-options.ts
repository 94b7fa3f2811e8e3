/**
 * tributary extensions of `windowedBy(windows, options)`: the event-time clock (`EventTime`)
 * and where late records go besides the `dropped` metric.
 */
import type { EventTime } from '../../time/event-time.js';
import type { LateRecords } from './late-records.js';

/** Options of a windowed aggregation: how its event time advances and what happens to late records. */
export interface WindowedOptions<K, V> {
  /** Default `EventTime.streamTime()` (Kafka Streams). */
  readonly eventTime?: EventTime;
  /** A topic (original record + `tributary.late.*` headers) or a callback. Default: counted only. */
  readonly lateRecords?: LateRecords<K, V>;
}
