/**
 * Runs a case of the differential spec through tributary's TopologyTestDriver (a fresh driver
 * per case, in-memory stores, caching off) and returns its outputs in the spec's canonical form.
 */
import { Serdes } from '../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../lib/testing/topology-test-driver.js';
import { buildFamily } from './families.js';
import type { Case, CaseResult, OutputRecord } from './spec.js';

const str = Serdes.string();
const i64 = Serdes.int64();

export async function runTributary(c: Case): Promise<CaseResult> {
  let driver: TopologyTestDriver | null = null;
  try {
    const built = buildFamily(c.family, c.params);
    // As the Java side's StreamsConfig: default serdes String and Long.
    driver = new TopologyTestDriver(built.topology, { applicationId: 'diff', defaultKeySerde: str, defaultValueSerde: i64 });
    const inputs = new Map(built.inputs.map((t) => [t, driver!.createInputTopic<string | null, number | null>(t, str, i64)]));
    const readers = built.outputs.map((t) => [t, driver!.createOutputTopic<string | null, number | null>(t, str, i64)] as const);
    for (const r of c.records) {
      const input = inputs.get(r.topic);
      if (!input) throw new Error(`family ${c.family} has no input topic ${r.topic}`);
      await input.pipeInput(r.key, r.value, r.ts);
    }
    const outputs: OutputRecord[] = [];
    for (const [topic, reader] of readers) {
      for (const o of await reader.readRecordsToList()) outputs.push({ topic, key: o.key, value: o.value, ts: o.timestamp });
    }
    return { outputs };
  } catch (err) {
    return {
      outputs: [],
      error: String(err instanceof Error ? (err.stack ?? err.message) : err)
        .replace(/\s+/g, ' ')
        .slice(0, 500),
    };
  } finally {
    await driver?.close().catch(() => {});
  }
}
