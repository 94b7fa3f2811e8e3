/**
 * Issue #19, reproduction 7: one validator for names that become topic names or directories.
 * `applicationId: '..'` used to be accepted by the app and runtime config and put state outside
 * `--state-dir`; every entry point (app config, runtime config, TopologyTestDriver, CLI, store
 * builders, the state directory) now refuses it at start with a message saying what to use.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveAppConfig } from '../../../lib/app/config.js';
import { parseApplicationId } from '../../../lib/cli/options.js';
import { ConfigError } from '../../../lib/errors.js';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import { normalizeConfig } from '../../../lib/runtime/config.js';
import { StreamsRuntime } from '../../../lib/runtime/streams-runtime.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { StateDirectory } from '../../../lib/state/state-directory.js';
import { Stores } from '../../../lib/state/stores.js';
import { TopologyTestDriver } from '../../../lib/testing/topology-test-driver.js';
import { Topology } from '../../../lib/topology/topology.js';
import { checkName, nameProblem } from '../../../lib/util/names.js';

const HOSTILE = ['.', '..', '', 'a/b', '../x', 'a\\b', 'a\u0000b', 'a b', 'ü', 'x'.repeat(250)];
const scratch = mkdtempSync(join(tmpdir(), 'tributary-names-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const passThrough = () => new Topology().addSource('src', 'in', { keySerde: Serdes.string(), valueSerde: Serdes.string() }).addSink('sink', 'out', {}, 'src');

describe('names (#19 reproduction 7)', () => {
  it('accepts Kafka topic characters and refuses . .. separators NUL and other characters with the reason', () => {
    for (const ok of ['my-app', 'fraud_detector.v2', 'A1', '...', 'x'.repeat(249)]) expect(nameProblem(ok)).toBeNull();
    for (const bad of HOSTILE) expect(nameProblem(bad)).not.toBeNull();
    expect(nameProblem('..')).toBe("'..' would name a directory outside its parent");
    expect(nameProblem('a/b')).toBe(`it contains "/"; only letters, digits, '.', '_' and '-' are allowed`);
    expect(() => checkName('applicationId', '..')).toThrow(
      `Invalid applicationId "..": '..' would name a directory outside its parent. Use 1-249 characters of letters, digits, '.', '_' and '-', not '.' or '..' (e.g. "my-app").`,
    );
  });

  it('the app config refuses applicationId ".." naming the key and what to use', () => {
    expect(() => resolveAppConfig({ applicationId: '..', bootstrapServers: 'localhost:9092' })).toThrow(
      /applicationId: "\.\." is not allowed: '\.\.' would name a directory outside its parent .*use 1-200 characters of letters, digits/,
    );
    for (const bad of HOSTILE) expect(() => resolveAppConfig({ applicationId: bad, bootstrapServers: 'localhost:9092' })).toThrow(ConfigError);
  });

  it('the runtime config, the driver and the CLI refuse the same names', () => {
    for (const bad of HOSTILE) {
      expect(() => normalizeConfig({ applicationId: bad })).toThrow(ConfigError);
      expect(() => new TopologyTestDriver(passThrough(), { applicationId: bad, stateDir: scratch })).toThrow(ConfigError);
      expect(() => parseApplicationId(bad)).toThrow(ConfigError);
      expect(() => StateDirectory.lock(scratch, bad)).toThrow(ConfigError);
    }
    expect(() => normalizeConfig({ applicationId: 'ok', deadLetterTopic: '../dlq' })).toThrow(
      /deadLetterTopic: "\.\.\/dlq" is not allowed: it contains "\/"; .*\(it is a topic name\); use 1-249 characters/,
    );
    // Nothing was created outside (or inside) the scratch state dir.
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('store names become directories: a store builder refuses a hostile name', () => {
    for (const bad of ['..', '../escape', 'a/b', '']) {
      expect(() => Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(bad), Serdes.string(), Serdes.string())).toThrow(/Invalid store name/);
    }
  });

  it('a runtime with applicationId ".." never starts (no state outside the state dir)', async () => {
    const kafka = new EmbeddedKafka();
    const stateDir = join(scratch, 'state');
    expect(() => new StreamsRuntime({ topology: passThrough(), client: kafka, config: { applicationId: '..', stateDir } })).toThrow(
      /applicationId: "\.\." is not allowed/,
    );
    expect(readdirSync(scratch)).toEqual([]);
  });
});
