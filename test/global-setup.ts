/**
 * vitest global setup: one real Kafka broker for the whole run.
 *
 * - `KAFKA_BOOTSTRAP_SERVERS` set → use that broker, start nothing.
 * - otherwise → start one with scripts/kafka-broker.ts (fails the run loudly if it cannot).
 * The address reaches tests via `provide('kafkaBootstrapServers')` (read it with
 * `realBootstrapServers()` from test/helpers/kafka-env.ts) and via the env var for child processes.
 * Teardown stops the broker: its whole process group is killed and its temp dir removed.
 */
import type { TestProject } from 'vitest/node';
import { startBroker, type RunningBroker } from '../scripts/kafka-broker.js';

const BOOTSTRAP_ENV = 'KAFKA_BOOTSTRAP_SERVERS';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env[BOOTSTRAP_ENV];
  if (external) {
    process.stderr.write(`[global-setup] using the Kafka broker at ${BOOTSTRAP_ENV}=${external}\n`);
    project.provide('kafkaBootstrapServers', external);
    return async () => {};
  }

  let broker: RunningBroker;
  try {
    broker = await startBroker({ log: (m) => process.stderr.write(`[global-setup] ${m}\n`) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`[global-setup] could not start the test Kafka broker; the run cannot continue.\n${message}`);
  }
  process.stderr.write(`[global-setup] Kafka broker ready at ${broker.bootstrapServers} in ${broker.readyMs} ms\n`);
  process.env[BOOTSTRAP_ENV] = broker.bootstrapServers;
  project.provide('kafkaBootstrapServers', broker.bootstrapServers);

  return async () => {
    const t0 = Date.now();
    await broker.stop();
    delete process.env[BOOTSTRAP_ENV];
    process.stderr.write(`[global-setup] Kafka broker stopped in ${Date.now() - t0} ms\n`);
  };
}
