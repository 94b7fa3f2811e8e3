import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Named } from '../../../lib/dsl/options/named.js';
import { Produced } from '../../../lib/dsl/options/produced.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../../lib/testing/index.js';

const str = Serdes.string();
interface Click {
  readonly page: string | null;
  readonly user: string;
}
const clickSerde = Serdes.json<Click>();

describe('KStream-GlobalKTable joins', () => {
  let driver: TopologyTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  async function run(left: boolean) {
    const b = new StreamsBuilder({ logger: () => {} });
    const pages = b.globalTable('pages', Consumed.with(str, str));
    const clicks = b.stream('clicks', Consumed.with(str, clickSerde));
    const joiner = (c: Click, title: string | null) => `${c.user}:${title}`;
    const mapper = (_k: string, c: Click) => c.page;
    (left ? clicks.leftJoin(pages, mapper, joiner, Named.as('enrich')) : clicks.join(pages, mapper, joiner, Named.as('enrich'))).to(
      'out',
      Produced.with(str, str),
    );
    driver = new TopologyTestDriver(b.build(), { applicationId: left ? 'gt-left' : 'gt' });
    // The global topic has more partitions than the stream: no co-partitioning needed.
    const pagesIn = driver.createInputTopic('pages', str, str, { partitions: 3 });
    const clicksIn = driver.createInputTopic('clicks', str, clickSerde, { partitions: 2 });
    const out = driver.createOutputTopic('out', str, str);
    await pagesIn.pipeInput('p1', 'Home', 1);
    await pagesIn.pipeInput('p2', 'Docs', 1);
    await clicksIn.pipeInput('k1', { page: 'p1', user: 'u1' }, 2);
    await clicksIn.pipeInput('k2', { page: 'p2', user: 'u2' }, 3);
    await clicksIn.pipeInput('k3', { page: 'p9', user: 'u3' }, 4);
    await clicksIn.pipeInput('k4', { page: null, user: 'u4' }, 5);
    await pagesIn.pipeInput('p1', 'Start', 6);
    await clicksIn.pipeInput('k5', { page: 'p1', user: 'u5' }, 7);
    return (await out.readRecordsToList()).map((r) => [r.key, r.value, r.timestamp]).sort();
  }

  it('join looks the mapped key up in the full global table', async () => {
    expect(await run(false)).toEqual([
      ['k1', 'u1:Home', 2],
      ['k2', 'u2:Docs', 3],
      ['k5', 'u5:Start', 7],
    ]);
  });

  it('leftJoin keeps records whose key maps to nothing (or null)', async () => {
    expect(await run(true)).toEqual([
      ['k1', 'u1:Home', 2],
      ['k2', 'u2:Docs', 3],
      ['k3', 'u3:null', 4],
      ['k4', 'u4:null', 5],
      ['k5', 'u5:Start', 7],
    ]);
  });
});
