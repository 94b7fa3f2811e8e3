/**
 * The Delta table terminal of the seed topologies: the rows of a stream appended to a Delta table
 * exactly once, committed with the task (`deltaSink`, see docs/delta.md). The stream must carry
 * source positions: feed it from a source topic or stateless operators, not from a store-cache
 * flush or a punctuation (route aggregates through a topic first, as transactions-windowed does).
 */
import type { z } from 'zod';
import { deltaSink } from '../../lib/connectors/delta/index.js';
import { Named, type KStream } from '../../lib/index.js';

export interface DeltaTableOptions {
  readonly tableDir: string;
  readonly schema: z.ZodType;
  readonly partitionBy: readonly string[];
  readonly name: string;
  readonly description: string;
  /** Commit the table (and the task's Kafka transaction) once the oldest buffered row is this old. */
  readonly commitIntervalMs: number;
}

export function deltaTable<K, V>(stream: KStream<K, V>, options: DeltaTableOptions): void {
  stream.process(
    deltaSink<K, V>({
      table: options.tableDir,
      schema: options.schema,
      partitionBy: options.partitionBy,
      name: options.name,
      description: options.description,
      codec: 'snappy',
      commitIntervalMs: options.commitIntervalMs,
    }),
    { named: Named.as(`${options.name}-delta-sink`) },
  );
}
