/**
 * Comparisons of what the pipeline wrote (Delta tables read back by delta-rs, Kafka topics) with
 * the reference model of the produced events (lib/cli/demo/model.ts).
 */
import { expect } from 'vitest';
import type { PipelineModel, ValidRecord } from '../../../lib/cli/demo/model.js';
import type { AggregateRow } from '../../../topologies/transactions-rows.js';
import { sortRows } from '../delta/readers.js';

/** A bronze row as the model predicts it, without the processing-time and offset columns. */
export function expectedBronze(v: ValidRecord, topic: string): Record<string, unknown> {
  return { ...v.event, event_date: new Date(v.ts).toISOString().slice(0, 10), source_topic: topic, source_partition: v.partition };
}

/**
 * Bronze rows equal the model's on-time events; per partition, source offsets grow with the
 * generation order; ingest times lie within the run.
 */
export function checkBronze(rows: Record<string, unknown>[], model: PipelineModel, topic: string, run: { from: number; to: number }): void {
  const stripped = rows.map(({ ingest_time: _i, source_offset: _o, ...rest }) => rest);
  expect(stripped.length).toBe(model.bronze.length);
  expect(sortRows(stripped)).toEqual(sortRows(model.bronze.map((v) => expectedBronze(v, topic))));
  const indexOf = new Map(model.bronze.map((v) => [v.event.transaction_id, v.record.index]));
  const byPartition = new Map<number, { index: number; offset: number }[]>();
  for (const r of rows) {
    const list = byPartition.get(r['source_partition'] as number) ?? [];
    list.push({ index: indexOf.get(r['transaction_id'] as string)!, offset: r['source_offset'] as number });
    byPartition.set(r['source_partition'] as number, list);
    const ingest = Date.parse(r['ingest_time'] as string);
    expect(ingest).toBeGreaterThanOrEqual(run.from);
    expect(ingest).toBeLessThanOrEqual(run.to);
  }
  for (const list of byPartition.values()) {
    list.sort((a, b) => a.index - b.index);
    for (let i = 1; i < list.length; i++) expect(list[i]!.offset).toBeGreaterThan(list[i - 1]!.offset);
  }
}

export function modelWindows(model: PipelineModel): AggregateRow[] {
  return [...model.accountWindows, ...(model.merchantWindows ?? [])];
}

export function checkWindows(rows: readonly Record<string, unknown>[], model: PipelineModel): void {
  const expected = modelWindows(model);
  expect(rows.length).toBe(expected.length);
  expect(sortRows([...rows] as Record<string, unknown>[])).toEqual(sortRows(expected as unknown as Record<string, unknown>[]));
}
