/**
 * The test broker's secured listeners: a CA, a broker certificate and a client certificate made
 * with openssl in the broker's temp dir at start (nothing committed), SCRAM users added when the
 * KRaft storage is formatted, and the listener / authorizer properties.
 *
 *   PLAINTEXT  inter-broker and the existing tests (principal User:ANONYMOUS, a super user)
 *   SSL        mutual TLS: client certificate required (principal User:CN=tributary-client, super user)
 *   SASL_SSL   SCRAM-SHA-512, SCRAM-SHA-256, PLAIN and OAUTHBEARER (unsecured JWTs, Kafka's default
 *              validator) over TLS (admin/alice are super users; `limited` has no ACLs until a test
 *              grants them)
 *
 * The KRaft StandardAuthorizer is on, so ACL tests can use the same broker.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SecureListeners {
  /** `127.0.0.1:<port>` of the mutual-TLS listener. */
  readonly sslBootstrap: string;
  /** `127.0.0.1:<port>` of the SASL_SSL listener. */
  readonly saslSslBootstrap: string;
  /** PEM files: the CA that signed the broker and client certificates, the client certificate and key. */
  readonly caFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** Host names the broker certificate names (127.0.0.1 as an IP address too). */
  readonly brokerHostNames: readonly string[];
  /** SCRAM / PLAIN users (test-only passwords). `alice` and `admin` are super users; `limited` has no ACLs. */
  readonly users: Readonly<Record<'admin' | 'alice' | 'limited', string>>;
  /** Principal of the mutual-TLS client certificate. */
  readonly sslPrincipal: string;
}

export const TEST_USERS = { admin: 'admin-secret-0b5e', alice: 'alice-secret-7d1c', limited: 'limited-secret-3f9a' } as const;
const CLIENT_CN = 'tributary-client';

function openssl(dir: string, args: readonly string[]): void {
  const out = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (out.error) throw new Error(`cannot run openssl (${String(out.error)}): install it (Debian: apt-get install openssl)`);
  if (out.status !== 0) throw new Error(`openssl ${args[0]} failed: ${out.stderr}`);
}

/** Makes ca.pem, broker.pem (certificate + key, for ssl.keystore.type=PEM), client.crt and client.key in `dir`. */
export function makeCertificates(dir: string): { caFile: string; brokerPem: string; clientCertFile: string; clientKeyFile: string } {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '7', '-subj', '/CN=tributary-test-ca']);
  writeFileSync(join(dir, 'broker.ext'), 'subjectAltName=IP:127.0.0.1,DNS:tributary-broker.test\n');
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=tributary-broker.test']);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'broker.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'broker.crt',
    '-days',
    '7',
    '-extfile',
    'broker.ext',
  ]);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', `/CN=${CLIENT_CN}`]);
  openssl(dir, ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '7']);
  writeFileSync(join(dir, 'broker.pem'), readFileSync(join(dir, 'broker.key'), 'utf8') + readFileSync(join(dir, 'broker.crt'), 'utf8'));
  return { caFile: join(dir, 'ca.pem'), brokerPem: join(dir, 'broker.pem'), clientCertFile: join(dir, 'client.crt'), clientKeyFile: join(dir, 'client.key') };
}

/** `StorageTool format` arguments creating the SCRAM users. */
export function scramFormatArgs(): string[] {
  const out: string[] = [];
  for (const [name, password] of Object.entries(TEST_USERS)) {
    for (const mechanism of ['SCRAM-SHA-512', 'SCRAM-SHA-256']) out.push('--add-scram', `${mechanism}=[name=${name},password=${password}]`);
  }
  return out;
}

/** server.properties entries for the PLAINTEXT + SSL + SASL_SSL listeners and the authorizer. */
export function secureServerProperties(
  ports: { readonly plain: number; readonly controller: number; readonly ssl: number; readonly saslSsl: number },
  files: { readonly caFile: string; readonly brokerPem: string },
): Record<string, string> {
  const plainUsers = Object.entries(TEST_USERS)
    .map(([n, p]) => `user_${n}="${p}"`)
    .join(' ');
  return {
    listeners: `PLAINTEXT://127.0.0.1:${ports.plain},CONTROLLER://127.0.0.1:${ports.controller},SSL://127.0.0.1:${ports.ssl},SASL_SSL://127.0.0.1:${ports.saslSsl}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${ports.plain},SSL://127.0.0.1:${ports.ssl},SASL_SSL://127.0.0.1:${ports.saslSsl}`,
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': files.brokerPem,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': files.caFile,
    'listener.name.ssl.ssl.client.auth': 'required',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN,OAUTHBEARER',
    // Kafka's default OAUTHBEARER validator accepts unsecured JWTs (alg "none"): tests only.
    'listener.name.sasl_ssl.oauthbearer.sasl.jaas.config': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_ssl.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': `User:ANONYMOUS;User:admin;User:alice;User:CN=${CLIENT_CN}`,
  };
}

export function secureListeners(
  ports: { readonly ssl: number; readonly saslSsl: number },
  files: { caFile: string; clientCertFile: string; clientKeyFile: string },
): SecureListeners {
  return {
    sslBootstrap: `127.0.0.1:${ports.ssl}`,
    saslSslBootstrap: `127.0.0.1:${ports.saslSsl}`,
    caFile: files.caFile,
    clientCertFile: files.clientCertFile,
    clientKeyFile: files.clientKeyFile,
    brokerHostNames: ['tributary-broker.test', '127.0.0.1'],
    users: { ...TEST_USERS },
    sslPrincipal: `User:CN=${CLIENT_CN}`,
  };
}
