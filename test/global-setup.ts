/**
 * vitest global setup: one real Kafka broker for the whole run.
 *
 * - `KAFKA_BOOTSTRAP_SERVERS` set → use that broker, start nothing.
 * - otherwise → start one with scripts/kafka-broker.ts (fails the run loudly if it cannot).
 * The address reaches tests via `provide('kafkaBootstrapServers')` (read it with
 * `realBootstrapServers()` from test/helpers/kafka-env.ts) and via the env var for child processes.
 * Teardown stops the broker: its whole process group is killed and its temp dir removed.
 * vitest calls this once per project (vitest.config.ts has two): the first call starts the broker,
 * the later ones find it in the env and share it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startBroker, type RunningBroker } from '../scripts/kafka-broker.js';

const BOOTSTRAP_ENV = 'KAFKA_BOOTSTRAP_SERVERS';
/** JSON file describing the broker's SSL / SASL_SSL listeners (printed by `npm run broker`). */
const SECURE_ENV = 'TRIBUTARY_SECURE_BROKER';
/** Set while the broker this file started runs (so a later project's call shares it quietly). */
const OWN_ENV = 'TRIBUTARY_GLOBAL_SETUP_BROKER';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The runtime's default state dir is durable (~/.local/state/tributary): keep test runs out of it.
  if (!process.env['XDG_STATE_HOME']) {
    const stateHome = mkdtempSync(join(tmpdir(), 'tributary-test-state-'));
    process.env['XDG_STATE_HOME'] = stateHome;
    process.on('exit', () => rmSync(stateHome, { recursive: true, force: true }));
  }
  const external = process.env[BOOTSTRAP_ENV];
  if (external) {
    if (process.env[OWN_ENV] !== external) process.stderr.write(`[global-setup] using the Kafka broker at ${BOOTSTRAP_ENV}=${external}\n`);
    project.provide('kafkaBootstrapServers', external);
    const secureFile = process.env[SECURE_ENV];
    project.provide('kafkaSecure', secureFile ? readFileSync(secureFile, 'utf8') : '');
    return async () => {};
  }

  let broker: RunningBroker;
  try {
    // The secured listeners (SSL with client certificates, SASL_SSL with SCRAM users) share the process.
    broker = await startBroker({ secure: true, log: (m) => process.stderr.write(`[global-setup] ${m}\n`) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`[global-setup] could not start the test Kafka broker; the run cannot continue.\n${message}`, { cause: err });
  }
  process.stderr.write(`[global-setup] Kafka broker ready at ${broker.bootstrapServers} in ${broker.readyMs} ms\n`);
  process.env[BOOTSTRAP_ENV] = broker.bootstrapServers;
  process.env[OWN_ENV] = broker.bootstrapServers;
  process.env[SECURE_ENV] = join(broker.dir, 'secure.json');
  project.provide('kafkaBootstrapServers', broker.bootstrapServers);
  project.provide('kafkaSecure', JSON.stringify(broker.secure));

  return async () => {
    const t0 = Date.now();
    await broker.stop();
    delete process.env[BOOTSTRAP_ENV];
    delete process.env[OWN_ENV];
    delete process.env[SECURE_ENV];
    process.stderr.write(`[global-setup] Kafka broker stopped in ${Date.now() - t0} ms\n`);
  };
}
