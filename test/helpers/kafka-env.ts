/**
 * How tests reach the real Kafka broker of the run.
 *
 * `test/global-setup.ts` either starts a broker (scripts/kafka-broker.ts) or, when
 * `KAFKA_BOOTSTRAP_SERVERS` is already set, uses that broker. Either way it hands the address to
 * test files through vitest `provide`/`inject` under `BOOTSTRAP_KEY`, and exports it as the env
 * var `KAFKA_BOOTSTRAP_SERVERS` for worker and child processes (e.g. a spawned `tributary run`).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { KafkaSecurity } from '../../lib/kafka/security.js';
import type { SecureListeners } from '../../scripts/kafka-broker.js';

/** Env var naming an existing broker (input) and the broker of the run (output, for child processes). */
export const BOOTSTRAP_ENV = 'KAFKA_BOOTSTRAP_SERVERS';
/** vitest `provide`/`inject` key carrying the bootstrap address. */
export const BOOTSTRAP_KEY = 'kafkaBootstrapServers';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBootstrapServers: string;
    /** JSON of the broker's `SecureListeners`, or '' when the broker has none. */
    kafkaSecure: string;
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
    throw new Error(`no Kafka broker for this run: test/global-setup.ts did not provide '${BOOTSTRAP_KEY}' and ${BOOTSTRAP_ENV} is unset`);
  }
  return value;
}

/** A topic (or group / transactional id) name unique to this call, so tests sharing a broker never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** The run's secured listeners (SSL with client certificates, SASL_SSL with SCRAM users). Throws when the broker has none. */
export function secureBroker(): SecureListeners {
  const provided = inject('kafkaSecure');
  const file = process.env['TRIBUTARY_SECURE_BROKER'];
  const text = provided || (file ? readFileSync(file, 'utf8') : '');
  if (!text) {
    throw new Error(
      'the test broker has no SSL / SASL_SSL listeners: start it with `npm run broker` (not --plain) and export TRIBUTARY_SECURE_BROKER as it prints',
    );
  }
  return JSON.parse(text) as SecureListeners;
}

export type SecureKind = 'SASL_SSL' | 'SSL';

/** Bootstrap address and `KafkaSecurity` of a secured listener: SCRAM-SHA-512 as `user`, or mutual TLS. */
export function secureConnection(kind: SecureKind, user: keyof SecureListeners['users'] = 'alice'): { bootstrap: string; security: KafkaSecurity } {
  const s = secureBroker();
  const ca = readFileSync(s.caFile, 'utf8');
  if (kind === 'SSL') {
    return {
      bootstrap: s.sslBootstrap,
      security: { protocol: 'SSL', tls: { ca, cert: readFileSync(s.clientCertFile, 'utf8'), key: readFileSync(s.clientKeyFile, 'utf8') } },
    };
  }
  return {
    bootstrap: s.saslSslBootstrap,
    security: { protocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-512', username: user, password: s.users[user] }, tls: { ca } },
  };
}

/**
 * Writes a Java-style client.properties for a secured listener into `dir` and returns its path.
 * SASL_SSL: the password is `${env:TRIBUTARY_TEST_SASL_PASSWORD}` unless `password` is given inline.
 */
export function writeClientProperties(dir: string, kind: SecureKind, options: { user?: string; password?: string; extra?: string } = {}): string {
  const s = secureBroker();
  const lines =
    kind === 'SSL'
      ? ['security.protocol=SSL', `ssl.truststore.location=${s.caFile}`, `ssl.keystore.location=${join(s.caFile, '..', 'client.pem')}`]
      : [
          'security.protocol=SASL_SSL',
          'sasl.mechanism=SCRAM-SHA-512',
          `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\`,
          `  username="${options.user ?? 'alice'}" password="${options.password ?? '${env:TRIBUTARY_TEST_SASL_PASSWORD}'}";`,
          `ssl.truststore.location=${s.caFile}`,
        ];
  if (kind === 'SSL') writeFileSync(join(s.caFile, '..', 'client.pem'), readFileSync(s.clientCertFile, 'utf8') + readFileSync(s.clientKeyFile, 'utf8'));
  const path = join(dir, `client-${kind.toLowerCase()}.properties`);
  writeFileSync(path, [...lines, ...(options.extra ? [options.extra] : [])].join('\n') + '\n');
  return path;
}
