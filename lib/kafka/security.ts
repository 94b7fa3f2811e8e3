/**
 * How a client authenticates to the cluster and protects its connections, independent of the client
 * library: the security protocol (as Java clients spell it), SASL credentials or an OAUTHBEARER token
 * provider, and TLS material as PEM text. Adapters translate it (lib/kafka/kafkajs/security.ts);
 * `parseClientProperties` (lib/app/client-properties.ts) builds it from a Java-style
 * `client.properties` file.
 *
 * Secrets (passwords, tokens, private keys) live only in these objects: `describeSecurity` is the
 * one text form meant for messages and never includes them.
 */
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '../errors.js';

/** Kafka's `security.protocol` values: plaintext or TLS, with or without SASL. */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
/** SASL mechanisms tributary's clients speak. */
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';

export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];

/** An OAUTHBEARER token as the broker's validator expects it (a JWT for Kafka's default validator). */
export interface OAuthBearerToken {
  readonly value: string;
}

/** Called for every new broker connection; return a fresh (unexpired) token. */
export type OAuthBearerTokenProvider = () => Promise<OAuthBearerToken>;

/** SASL settings by mechanism: username and password for PLAIN and SCRAM, a token provider for OAUTHBEARER. */
export type SaslConfig =
  | { readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; readonly username: string; readonly password: string }
  | { readonly mechanism: 'OAUTHBEARER'; readonly tokenProvider: OAuthBearerTokenProvider };

/** TLS settings: CA certificates, client certificate and key with its password (mutual TLS), and whether the server's hostname is verified. */
export interface TlsConfig {
  /** PEM text of the CA certificate(s) that signed the brokers' certificates. Default: Node's built-in roots. */
  readonly ca?: string;
  /** PEM text of the client certificate chain (mutual TLS). Give it with `key`. */
  readonly cert?: string;
  /** PEM text of the client private key (mutual TLS). */
  readonly key?: string;
  /** Passphrase of an encrypted `key`. */
  readonly keyPassword?: string;
  /** Check that the broker's certificate names the host connected to. Default true. */
  readonly verifyHostname?: boolean;
}

/** Connection security of every client an application or command creates. */
export interface KafkaSecurity {
  readonly protocol: SecurityProtocol;
  /** Required for SASL_PLAINTEXT and SASL_SSL; not allowed otherwise. */
  readonly sasl?: SaslConfig;
  /** TLS settings for SSL and SASL_SSL (optional there: defaults verify against Node's roots). */
  readonly tls?: TlsConfig;
}

export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}

export function usesSasl(protocol: SecurityProtocol): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
}

/**
 * Checks that the settings fit together (protocol vs SASL/TLS, mechanism vs credentials, cert with
 * key). Throws a `ConfigError` naming the setting to change; messages never contain secret values.
 */
export function validateSecurity(security: KafkaSecurity, source = 'security'): KafkaSecurity {
  const fail = (message: string): never => {
    throw new ConfigError(`${source}: ${message}`, { context: { key: source } });
  };
  if (!SECURITY_PROTOCOLS.includes(security.protocol)) {
    fail(`unknown security protocol ${JSON.stringify(String(security.protocol))}; use one of ${SECURITY_PROTOCOLS.join(', ')}`);
  }
  const sasl = security.sasl;
  if (usesSasl(security.protocol)) {
    if (sasl === undefined) fail(`${security.protocol} needs SASL settings (a mechanism and credentials)`);
  } else if (sasl !== undefined) {
    fail(`SASL settings are given but the protocol is ${security.protocol}; use SASL_SSL (or SASL_PLAINTEXT) to authenticate with SASL`);
  }
  if (sasl !== undefined) {
    if (!SASL_MECHANISMS.includes(sasl.mechanism)) {
      fail(`unknown SASL mechanism ${JSON.stringify(String(sasl.mechanism))}; supported: ${SASL_MECHANISMS.join(', ')}`);
    }
    if (sasl.mechanism === 'OAUTHBEARER') {
      if (typeof sasl.tokenProvider !== 'function') fail('OAUTHBEARER needs a tokenProvider: an async function returning { value: <token> }');
    } else {
      if (typeof sasl.username !== 'string' || sasl.username === '') fail(`${sasl.mechanism} needs a username`);
      if (typeof sasl.password !== 'string' || sasl.password === '') fail(`${sasl.mechanism} needs a password`);
    }
  }
  const tls = security.tls;
  if (tls !== undefined) {
    if (!usesTls(security.protocol)) fail(`TLS settings are given but the protocol is ${security.protocol}; use SSL or SASL_SSL`);
    if ((tls.cert === undefined) !== (tls.key === undefined)) fail('mutual TLS needs both a client certificate and its private key');
    for (const [name, pem] of [
      ['ca', tls.ca],
      ['cert', tls.cert],
    ] as const) {
      if (pem !== undefined && !pem.includes('-----BEGIN CERTIFICATE-----')) fail(`tls.${name} must be PEM text containing '-----BEGIN CERTIFICATE-----'`);
    }
    if (tls.key !== undefined && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(tls.key))
      fail("tls.key must be PEM text containing '-----BEGIN ... PRIVATE KEY-----'");
  }
  return security;
}

/** A one-line description for messages, e.g. `SASL_SSL (SCRAM-SHA-512, user 'alice')`. Never includes secrets. */
export function describeSecurity(security: KafkaSecurity | undefined): string {
  if (security === undefined) return 'PLAINTEXT';
  const parts: string[] = [];
  const sasl = security.sasl;
  if (sasl !== undefined) parts.push(sasl.mechanism === 'OAUTHBEARER' ? 'OAUTHBEARER' : `${sasl.mechanism}, user '${sasl.username}'`);
  if (usesTls(security.protocol) && security.tls?.cert !== undefined) parts.push('client certificate');
  return parts.length ? `${security.protocol} (${parts.join(', ')})` : security.protocol;
}

/** The secret strings of a configuration (passwords, private keys), for redaction checks. */
export function secretsOf(security: KafkaSecurity | undefined): string[] {
  const out: string[] = [];
  const sasl = security?.sasl;
  if (sasl !== undefined && sasl.mechanism !== 'OAUTHBEARER') out.push(sasl.password);
  if (security?.tls?.key !== undefined) out.push(security.tls.key);
  if (security?.tls?.keyPassword !== undefined) out.push(security.tls.keyPassword);
  return out.filter((s) => s.length > 0);
}

/** `text` with every occurrence of a secret replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** Node TLS options for a security configuration (shared by kafkajs and the connection preflight). */
export function tlsOptions(security: KafkaSecurity): ConnectionOptions {
  const t = security.tls ?? {};
  return {
    rejectUnauthorized: true,
    ...(t.ca !== undefined ? { ca: t.ca } : {}),
    ...(t.cert !== undefined ? { cert: t.cert } : {}),
    ...(t.key !== undefined ? { key: t.key } : {}),
    ...(t.keyPassword !== undefined ? { passphrase: t.keyPassword } : {}),
    ...(t.verifyHostname === false ? { checkServerIdentity: () => undefined } : {}),
  };
}

/**
 * The name of a TLS alert the peer sent, from Node's error code: OpenSSL 3.0 (Node 20/22) names
 * them `ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE`, `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`, ...;
 * the OpenSSL of Node 24 `ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE`. Undefined for other codes.
 */
export function tlsAlertName(code: string | undefined): string | undefined {
  return code === undefined ? undefined : /^ERR_SSL_.*ALERT_([A-Z_]+)$/.exec(code)?.[1];
}
