import { describe, expect, it } from 'vitest';
import { RecordCollector } from '../../../lib/runtime/record-collector.js';
import { outgoingRecords as toOutgoingRecords } from '../../../lib/kafka/columns.js';
import { TaskMetrics } from '../../../lib/runtime/task-metrics.js';

const collector = () => new RecordCollector(new TaskMetrics('0_0'), new Set(['app-repartition']));
const plain = (c: RecordCollector) => c.drain().map((r) => ({ ...r, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null }));

describe('RecordCollector (records by column)', () => {
  it('keeps records in order with their keys, values (text, bytes, null), partitions, timestamps and headers', () => {
    const c = collector();
    c.startRecord();
    c.keyText('k1');
    c.endOutputText('out', -1, 10, undefined, '{"a":"é"}', false);
    c.changelog({ topic: 'log', partition: 3, key: Buffer.from('k2'), value: null, timestamp: 11 });
    c.startRecord();
    c.endOutputBytes('app-repartition', 1, 12, { h: Buffer.from('x') }, Buffer.from('bytes'), true);
    const src = Buffer.from('..key..');
    c.startRecord();
    c.keyRange(src, 2, 5);
    c.endOutputText('out', -1, 13, Object.freeze({}), '', false);
    expect(c.size).toBe(4);
    expect(c.hasInternalWrites()).toBe(true);
    expect(plain(c)).toEqual([
      { topic: 'out', key: 'k1', value: '{"a":"é"}', timestamp: 10 },
      { topic: 'log', partition: 3, key: 'k2', value: null, timestamp: 11 },
      { topic: 'app-repartition', partition: 1, key: null, value: 'bytes', timestamp: 12, headers: { h: Buffer.from('x') } },
      { topic: 'out', key: 'key', value: '', timestamp: 13 },
    ]);
    expect(c.size).toBe(0);
  });

  it('moves a record that does not fit the chunk to the next one whole (key and value stay contiguous)', () => {
    const c = collector();
    const big = 'x'.repeat(700_000);
    for (let i = 0; i < 3; i++) {
      c.startRecord();
      c.keyText(`key-${i}`);
      c.endOutputText('out', -1, i, undefined, big + i, false);
    }
    const batch = c.drainBatch();
    expect(batch.valueChunks[0]).not.toBe(batch.valueChunks[1]);
    const records = toOutgoingRecords(batch);
    expect(records.map((r) => r.key!.toString())).toEqual(['key-0', 'key-1', 'key-2']);
    expect(records.map((r) => r.value!.toString())).toEqual([big + 0, big + 1, big + 2]);
  });

  it('never writes again over bytes it handed out (after recycle and clear alike)', () => {
    const c = collector();
    c.startRecord();
    c.keyText('a');
    c.endOutputText('out', -1, 1, undefined, 'first', false);
    const first = c.drainBatch();
    const [record] = toOutgoingRecords(first);
    c.recycle(first);
    c.startRecord();
    c.keyText('b');
    c.endOutputText('out', -1, 2, undefined, 'second', false);
    c.clear();
    c.startRecord();
    c.keyText('c');
    c.endOutputText('out', -1, 3, undefined, 'third', false);
    expect(record!.key!.toString()).toBe('a');
    expect(record!.value!.toString()).toBe('first');
    expect(plain(c)).toEqual([{ topic: 'out', key: 'c', value: 'third', timestamp: 3 }]);
  });
});
