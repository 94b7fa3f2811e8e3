import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { Processor, Record } from '../../../lib/topology/processor.js';
import { hasNullValue } from '../../../lib/topology/record.js';
import { Topology } from '../../../lib/topology/topology.js';
import { TopologyTestDriver } from '../../../lib/testing/index.js';

const str = Serdes.string();

interface Seen {
  ownValue: boolean;
  nullValue: boolean;
  spread: unknown;
  value: unknown;
}

/** source → one processor (flagged or not) that notes what its input records look like. */
function topology(flagged: boolean, seen: Seen[]): Topology {
  return new Topology().addSource('src', 'in', { keySerde: str, valueSerde: Serdes.json<unknown>() }).addProcessor(
    'p',
    () => {
      const p: Processor<string, unknown, never, never> & { readsRecordFieldsOnly?: true } = {
        process: (r: Record<string, unknown>) => {
          const ownValue = Object.getOwnPropertyDescriptor(r, 'value') !== undefined;
          const nullValue = hasNullValue(r);
          const spread = flagged ? undefined : { ...r }.value;
          seen.push({ ownValue, nullValue, spread, value: r.value });
        },
      };
      if (flagged) p.readsRecordFieldsOnly = true;
      return p;
    },
    'src',
  );
}

describe('lazy records for processors that only read record fields', () => {
  let driver: TopologyTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it.each([true, false])('decode the value on read either way (flagged: %s); only unflagged ones get an own accessor', async (flagged) => {
    const seen: Seen[] = [];
    driver = new TopologyTestDriver(topology(flagged, seen));
    await driver.createInputTopic('in', str, str).pipeKeyValueList([
      { key: 'a', value: '{"n":1}' },
      { key: 'b', value: null as unknown as string },
    ]);
    expect(seen).toEqual([
      { ownValue: !flagged, nullValue: false, spread: flagged ? undefined : { n: 1 }, value: { n: 1 } },
      { ownValue: true, nullValue: true, spread: flagged ? undefined : null, value: null },
    ]);
  });
});
