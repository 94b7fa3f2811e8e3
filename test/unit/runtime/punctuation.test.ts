import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { ProcessorContext, PunctuationType } from '../../../lib/topology/processor.js';
import { Topology } from '../../../lib/topology/topology.js';
import { TopologyTestDriver } from '../../../lib/testing/index.js';

const str = Serdes.string();

/** Forwards nothing per record; each punctuation emits (`p`, `<type>@<ts> st=<streamTime>`). */
function punctuatingTopology(type: PunctuationType, intervalMs: number): Topology {
  return new Topology()
    .addSource('src', 'in', { keySerde: str, valueSerde: str })
    .addProcessor(
      'punct',
      () => ({
        init(ctx: ProcessorContext<string, string>) {
          ctx.schedule(intervalMs, type, (ts) => {
            expect(ctx.recordMetadata()).toBeNull();
            ctx.forward({ key: 'p', value: `${type}@${ts} st=${ctx.currentStreamTimeMs()}`, timestamp: Math.max(ts, 0), headers: {} });
          });
        },
        process() {},
      }),
      'src',
    )
    .addSink('sink', 'out', { keySerde: str, valueSerde: str }, 'punct');
}

describe('punctuation through the runtime', () => {
  let driver: TopologyTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it('stream time: epoch-aligned, once per interval, once per gap; never on late records', async () => {
    driver = new TopologyTestDriver(punctuatingTopology('stream-time', 10));
    const input = driver.createInputTopic('in', str, str);
    const output = driver.createOutputTopic('out', str, str);
    const fires = async (ts: number): Promise<string[]> => {
      await input.pipeInput('k', 'v', ts);
      return output.readValuesToList();
    };
    expect(await fires(5)).toEqual(['stream-time@5 st=5']); // first due at 0
    expect(await fires(8)).toEqual([]);
    expect(await fires(12)).toEqual(['stream-time@12 st=12']);
    expect(await fires(3)).toEqual([]); // late: stream time stays 12
    expect(await fires(19)).toEqual([]);
    expect(await fires(47)).toEqual(['stream-time@47 st=47']); // gap 20..40 crossed: fires once
    expect(await fires(49)).toEqual([]);
    expect(await fires(50)).toEqual(['stream-time@50 st=50']);
  });

  it('wall clock: driven by advanceWallClockTime, independent of records', async () => {
    driver = new TopologyTestDriver(punctuatingTopology('wall-clock', 1000), { initialWallClockTimeMs: 10_000 });
    driver.createInputTopic('in', str, str);
    const output = driver.createOutputTopic('out', str, str);
    await driver.start();
    await driver.advanceWallClockTime(999);
    expect(await output.readValuesToList()).toEqual([]);
    await driver.advanceWallClockTime(1);
    expect(await output.readValuesToList()).toEqual(['wall-clock@11000 st=-1']);
    await driver.advanceWallClockTime(5_500); // a gap: fires once, next due at 17000
    expect(await output.readValuesToList()).toEqual(['wall-clock@16500 st=-1']);
    await driver.advanceWallClockTime(500);
    expect(await output.readValuesToList()).toEqual(['wall-clock@17000 st=-1']);
    expect(driver.metrics()[0]!.punctuations).toBe(3);
  });
});

describe('punctuation failures', () => {
  const failing = (): Topology =>
    new Topology().addSource('src', 'in', { keySerde: str, valueSerde: str }).addProcessor(
      'boom',
      () => ({
        init(ctx: ProcessorContext<string, string>) {
          ctx.schedule(10, 'stream-time', () => {
            throw new Error('punctuator exploded');
          });
        },
        process() {},
      }),
      'src',
    );

  it('fail by default, naming the processor', async () => {
    const driver = new TopologyTestDriver(failing());
    try {
      await expect(driver.createInputTopic('in', str, str).pipeInput('k', 'v', 5)).rejects.toThrow(/Punctuation of boom failed at boom: punctuator exploded/);
    } finally {
      await driver.close();
    }
  });

  it('go to the processing handler (continue)', async () => {
    const seen: string[] = [];
    const driver = new TopologyTestDriver(failing(), {
      processingExceptionHandler: (ctx, error) => {
        seen.push(`${ctx.processorName}:${(error as Error).message}`);
        return 'continue';
      },
    });
    try {
      await driver.createInputTopic('in', str, str).pipeInput('k', 'v', 5);
      expect(seen).toEqual(['boom:punctuator exploded']);
    } finally {
      await driver.close();
    }
  });
});
