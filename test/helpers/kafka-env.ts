/**
 * How tests reach the real Kafka broker of the run.
 *
 * `test/global-setup.ts` either starts a broker (scripts/kafka-broker.ts) or, when
 * `KAFKA_BOOTSTRAP_SERVERS` is already set, uses that broker. Either way it hands the address to
 * test files through vitest `provide`/`inject` under `BOOTSTRAP_KEY`, and exports it as the env
 * var `KAFKA_BOOTSTRAP_SERVERS` for worker and child processes (e.g. a spawned `tributary run`).
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** Env var naming an existing broker (input) and the broker of the run (output, for child processes). */
export const BOOTSTRAP_ENV = 'KAFKA_BOOTSTRAP_SERVERS';
/** vitest `provide`/`inject` key carrying the bootstrap address. */
export const BOOTSTRAP_KEY = 'kafkaBootstrapServers';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBootstrapServers: string;
  }
}

/**
 * Bootstrap servers (`host:port[,host:port]`) of the real broker for this test run. Throws when
 * there is none: integration tests never skip silently.
 */
export function realBootstrapServers(): string {
  const provided = inject(BOOTSTRAP_KEY);
  const value = provided || process.env[BOOTSTRAP_ENV];
  if (!value) {
    throw new Error(
      `no Kafka broker for this run: test/global-setup.ts did not provide '${BOOTSTRAP_KEY}' and ${BOOTSTRAP_ENV} is unset`,
    );
  }
  return value;
}

/** A topic (or group / transactional id) name unique to this call, so tests sharing a broker never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
