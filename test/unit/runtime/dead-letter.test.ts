import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Headers } from '../../../lib/kafka/types.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { ProcessorContext, Record } from '../../../lib/topology/processor.js';
import { Topology } from '../../../lib/topology/topology.js';
import { ErrorHandlers } from '../../../lib/runtime/error-handlers.js';
import { sumMetrics } from '../../../lib/runtime/task-metrics.js';
import { TopologyTestDriver } from '../../../lib/testing/index.js';

const str = Serdes.string();
const Tx = z.object({ id: z.string(), amount: z.number() });
type Tx = z.infer<typeof Tx>;

/** in (zod JSON) → check (throws on amount 13) → out */
function topology(): Topology {
  return new Topology()
    .addSource('src', 'in', { keySerde: str, valueSerde: Serdes.zod(Tx) })
    .addProcessor(
      'check',
      () => {
        let ctx: ProcessorContext<string, Tx>;
        return {
          init: (c: ProcessorContext<string, Tx>) => (ctx = c),
          process: (r: Record<string, Tx>) => {
            if (r.value.amount === 13) throw new Error('unlucky amount');
            ctx.forward(r);
          },
        };
      },
      'src',
    )
    .addSink('sink', 'out', { keySerde: str, valueSerde: Serdes.json<Tx>() }, 'check');
}

const header = (h: Headers, name: string): string | undefined => h[`tributary.error.${name}`]?.toString();

describe('dead-letter handling', () => {
  let driver: TopologyTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it('sends undeserializable records to <app>-dlq with tributary.error.* headers and original bytes (default)', async () => {
    driver = new TopologyTestDriver(topology(), { applicationId: 'dlq-app' });
    const raw = driver.createInputTopic('in', str, str);
    const out = driver.createOutputTopic('out', str, Serdes.json<Tx>());
    const dlq = driver.createOutputTopic('dlq-app-dlq', str, str);
    await raw.pipeInput('a', JSON.stringify({ id: 'a', amount: 1 }), 1);
    await raw.pipeInput('b', '{not json', 2, { trace: Buffer.from('t-1') });
    await raw.pipeInput('c', JSON.stringify({ id: 'c', amount: 'lots' }), 3);
    await raw.pipeInput('d', JSON.stringify({ id: 'd', amount: 4 }), 4);
    expect((await out.readKeyValuesToList()).map((kv) => kv.key)).toEqual(['a', 'd']);
    const dead = await dlq.readRecordsToList();
    expect(dead.map((r) => [r.key, r.value])).toEqual([
      ['b', '{not json'],
      ['c', JSON.stringify({ id: 'c', amount: 'lots' })],
    ]);
    const [b, c] = dead;
    expect(header(b!.headers, 'code')).toBe('SERDE');
    expect(header(b!.headers, 'topic')).toBe('in');
    expect(header(b!.headers, 'partition')).toBe('0');
    expect(header(b!.headers, 'offset')).toBe('1');
    expect(header(b!.headers, 'processor')).toBe('src');
    expect(header(b!.headers, 'reason')).toMatch(/src could not deserialize the record value from in/);
    expect(b!.headers.trace?.toString()).toBe('t-1');
    expect(header(c!.headers, 'offset')).toBe('2');
    expect(header(c!.headers, 'code')).toBe('SERDE');
    const m = sumMetrics(driver.metrics());
    expect(m).toMatchObject({ recordsIn: 4, processed: 2, deadLettered: 2, skipped: 0, recordsOut: 2 });
    expect(m.recordsIn).toBe(m.processed + m.deadLettered + m.skipped);
  });

  it('fails on processing errors by default, naming the processor and the record', async () => {
    driver = new TopologyTestDriver(topology());
    const input = driver.createInputTopic('in', str, Serdes.json<Tx>());
    await expect(input.pipeInput('x', { id: 'x', amount: 13 }, 1)).rejects.toThrow(
      /Processing failed at check: unlucky amount.*topic=in, partition=0, offset=0/,
    );
  });

  it('dead-letters processing errors when configured, with the failing processor; counts reconcile', async () => {
    driver = new TopologyTestDriver(topology(), {
      applicationId: 'p-app',
      processingExceptionHandler: ErrorHandlers.deadLetter,
      deserializationExceptionHandler: () => 'continue',
    });
    const input = driver.createInputTopic('in', str, Serdes.json<unknown>());
    const dlq = driver.createOutputTopic('p-app-dlq', str, str);
    const out = driver.createOutputTopic('out', str, Serdes.json<Tx>());
    await input.pipeKeyValueList(
      [
        { key: 'a', value: { id: 'a', amount: 13 } },
        { key: 'b', value: { id: 'b', amount: 2 } },
        { key: 'c', value: { id: 'c' } },
        { key: 'd', value: { id: 'd', amount: 13 } },
      ],
      100,
      1,
    );
    expect((await out.readKeyValuesToList()).map((kv) => kv.key)).toEqual(['b']);
    const dead = await dlq.readRecordsToList();
    expect(dead.map((r) => [r.key, header(r.headers, 'processor'), header(r.headers, 'code'), header(r.headers, 'reason')])).toEqual([
      ['a', 'check', 'PROCESSING', 'unlucky amount'],
      ['d', 'check', 'PROCESSING', 'unlucky amount'],
    ]);
    const m = sumMetrics(driver.metrics());
    expect(m).toMatchObject({ recordsIn: 4, processed: 1, deadLettered: 2, skipped: 1 });
  });

  it('routes invalid timestamps from an extractor to the deserialization handler', async () => {
    const t = new Topology()
      .addSource('src', 'in', { keySerde: str, valueSerde: Serdes.json<{ ts: number }>(), timestampExtractor: (r) => (r.value as { ts: number }).ts })
      .addSink('sink', 'out', { keySerde: str, valueSerde: Serdes.json<{ ts: number }>() }, 'src');
    driver = new TopologyTestDriver(t, { applicationId: 'ts-app' });
    const input = driver.createInputTopic('in', str, Serdes.json<{ ts: number }>());
    const out = driver.createOutputTopic('out', str, Serdes.json<{ ts: number }>());
    const dlq = driver.createOutputTopic('ts-app-dlq', str, str);
    await input.pipeKeyValueList(
      [
        { key: 'a', value: { ts: 500 } },
        { key: 'b', value: { ts: -5 } },
        { key: 'c', value: { ts: 700 } },
      ],
      1,
    );
    expect((await out.readRecordsToList()).map((r) => [r.key, r.timestamp])).toEqual([
      ['a', 500],
      ['c', 700],
    ]);
    const [bad] = await dlq.readRecordsToList();
    expect(bad!.key).toBe('b');
    expect(header(bad!.headers, 'reason')).toMatch(/Invalid extracted timestamp -5 of the record at in-0@1: it is negative/);
  });
});
