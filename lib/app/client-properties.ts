/**
 * Java-style client properties (`client.properties`, as `kafka-console-producer --command-config`
 * reads them) → `KafkaSecurity`. Keys are spelled as the Java client spells them; a few librdkafka
 * spellings (`ssl.ca.location`, `ssl.certificate.location`, `ssl.key.location`) are accepted too.
 * Key stores and trust stores must be PEM files (convert JKS / PKCS12 with keytool and openssl).
 *
 * Secrets: any value may refer to an environment variable as `${env:NAME}` (or Kafka's own
 * `${env::NAME}`), and `TRIBUTARY_SASL_USERNAME` / `TRIBUTARY_SASL_PASSWORD` supply SASL credentials
 * the file leaves out. Relative paths are resolved against the working directory, as Java does.
 * Unknown keys, unknown mechanisms and inconsistent settings fail with a `ConfigError` that names
 * the key; no message ever contains a password, a token or a key.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import {
  SASL_MECHANISMS,
  SECURITY_PROTOCOLS,
  validateSecurity,
  type KafkaSecurity,
  type OAuthBearerTokenProvider,
  type SaslConfig,
  type SaslMechanism,
  type SecurityProtocol,
  type TlsConfig,
} from '../kafka/security.js';

/** Environment variable read for the SASL username when the properties leave it out. */
export const SASL_USERNAME_ENV = 'TRIBUTARY_SASL_USERNAME';
/** Environment variable read for the SASL password when the properties leave it out. */
export const SASL_PASSWORD_ENV = 'TRIBUTARY_SASL_PASSWORD';

/** What `parseClientProperties` found: the security settings, and bootstrap servers and client id when given. */
export interface ClientProperties {
  readonly security: KafkaSecurity;
  /** `bootstrap.servers` when the file has it (used when no flag or env var gives brokers). */
  readonly bootstrapServers?: string;
  readonly clientId?: string;
}

/** Options of `parseClientProperties`: the environment secrets are read from, the source named in errors, how files are read and relative to where, and an OAUTHBEARER token provider. */
export interface ClientPropertiesOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Names the file in messages. Default `client properties`. */
  readonly source?: string;
  /** Reads a file named by a property (tests pass their own). Default: UTF-8 from disk. */
  readonly readFile?: (path: string) => string;
  /** Directory relative paths resolve against. Default: the working directory. */
  readonly cwd?: string;
  /** OAUTHBEARER token provider from the library API (a topology module); else `tributary.oauthbearer.token.file`. */
  readonly tokenProvider?: OAuthBearerTokenProvider;
}

const KNOWN_KEYS = [
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'ssl.truststore.location',
  'ssl.truststore.type',
  'ssl.ca.location',
  'ssl.keystore.location',
  'ssl.keystore.type',
  'ssl.certificate.location',
  'ssl.key.location',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
  'tributary.oauthbearer.token.file',
  'bootstrap.servers',
  'client.id',
] as const;

const LOGIN_MODULES: Readonly<Record<SaslMechanism, string>> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  OAUTHBEARER: 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule',
};

/** `key=value` / `key: value` lines; `#` and `!` comments; a trailing `\` continues the line. */
export function parsePropertiesText(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.trimStart();
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) {
      out.set(line.trim(), '');
      continue;
    }
    out.set(m[1]!, m[2]!.trimEnd());
  }
  return out;
}

/** Reads and parses a client properties file. */
export function loadClientProperties(path: string, options: Omit<ClientPropertiesOptions, 'source'> = {}): ClientProperties {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`--client-config: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      context: { key: 'client-config' },
    });
  }
  return parseClientProperties(text, { ...options, source: path });
}

/**
 * Reads a Java-style `client.properties` text (security.protocol, sasl.*, ssl.*) into the
 * `security` config and the bootstrap servers; secrets may come from environment variables.
 */
export function parseClientProperties(text: string, options: ClientPropertiesOptions = {}): ClientProperties {
  const source = options.source ?? 'client properties';
  const env = options.env ?? process.env;
  const fail = (key: string, message: string): never => {
    throw new ConfigError(`${source}: ${key}: ${message}`, { context: { key } });
  };
  const raw = parsePropertiesText(text);
  const props = new Map<string, string>();
  for (const [key, value] of raw) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      fail(key, `unknown client property; known: ${KNOWN_KEYS.join(', ')}`);
    }
    props.set(
      key,
      substituteEnv(value, env, (variable) => fail(key, `refers to \${env:${variable}}, which is not set`)),
    );
  }
  const get = (key: (typeof KNOWN_KEYS)[number]): string | undefined => {
    const v = props.get(key);
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const read = (key: string, path: string): string => {
    const full = resolve(options.cwd ?? process.cwd(), path);
    try {
      return (options.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(full);
    } catch (err) {
      return fail(key, `cannot read ${full} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };

  const protocolText = (get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocolText)) {
    fail('security.protocol', `unknown protocol '${protocolText}'; use one of ${SECURITY_PROTOCOLS.join(', ')}`);
  }
  const protocol = protocolText as SecurityProtocol;
  const sasl = protocol.startsWith('SASL_') ? saslConfig() : undefined;
  if (!protocol.startsWith('SASL_')) {
    for (const key of ['sasl.mechanism', 'sasl.jaas.config', 'tributary.oauthbearer.token.file'] as const) {
      if (get(key) !== undefined) fail(key, `is set but security.protocol is ${protocol}; use SASL_SSL (or SASL_PLAINTEXT) to authenticate with SASL`);
    }
  }
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL' ? tlsConfig() : undefined;
  if (tls === undefined) {
    for (const key of KNOWN_KEYS) {
      if (key.startsWith('ssl.') && get(key) !== undefined) fail(key, `is set but security.protocol is ${protocol}; use SSL or SASL_SSL for TLS`);
    }
  }
  const security: KafkaSecurity = { protocol, ...(sasl ? { sasl } : {}), ...(tls ? { tls } : {}) };
  validateSecurity(security, source);
  const bootstrapServers = get('bootstrap.servers');
  const clientId = get('client.id');
  return { security, ...(bootstrapServers ? { bootstrapServers } : {}), ...(clientId ? { clientId } : {}) };

  function saslConfig(): SaslConfig {
    const mechanismText = (get('sasl.mechanism') ?? 'GSSAPI').toUpperCase();
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanismText)) {
      fail(
        'sasl.mechanism',
        get('sasl.mechanism') === undefined
          ? `is required with ${protocol} (the Java default GSSAPI/Kerberos is not supported); use one of ${SASL_MECHANISMS.join(', ')}`
          : `unsupported mechanism '${mechanismText}'; use one of ${SASL_MECHANISMS.join(', ')}`,
      );
    }
    const mechanism = mechanismText as SaslMechanism;
    const jaasText = get('sasl.jaas.config');
    const jaas = jaasText === undefined ? undefined : parseJaas(jaasText, (m) => fail('sasl.jaas.config', m));
    if (jaas !== undefined && jaas.module !== LOGIN_MODULES[mechanism]) {
      fail('sasl.jaas.config', `uses login module '${jaas.module}', but sasl.mechanism ${mechanism} needs ${LOGIN_MODULES[mechanism]}`);
    }
    if (mechanism === 'OAUTHBEARER') {
      const tokenFile = get('tributary.oauthbearer.token.file');
      const provider = options.tokenProvider ?? (tokenFile !== undefined ? tokenFileProvider(resolve(options.cwd ?? process.cwd(), tokenFile)) : undefined);
      if (provider === undefined) {
        fail(
          'sasl.mechanism',
          'OAUTHBEARER needs a token: set tributary.oauthbearer.token.file to a file holding the current token (re-read on every connection), or give security.sasl.tokenProvider in the library API',
        );
      }
      return { mechanism, tokenProvider: provider! };
    }
    const username = jaas?.options.get('username') ?? env[SASL_USERNAME_ENV];
    const password = jaas?.options.get('password') ?? env[SASL_PASSWORD_ENV];
    if (username === undefined || username === '') {
      fail('sasl.jaas.config', `${mechanism} needs a username: give username="..." in sasl.jaas.config or set ${SASL_USERNAME_ENV}`);
    }
    if (password === undefined || password === '') {
      fail('sasl.jaas.config', `${mechanism} needs a password: give password="\${env:NAME}" in sasl.jaas.config or set ${SASL_PASSWORD_ENV}`);
    }
    return { mechanism, username: username!, password: password! } as SaslConfig;
  }

  function tlsConfig(): TlsConfig {
    for (const key of ['ssl.truststore.type', 'ssl.keystore.type'] as const) {
      const type = get(key);
      if (type !== undefined && type.toUpperCase() !== 'PEM') {
        fail(
          key,
          `'${type}' stores are not supported; use PEM files (convert with: keytool -exportcert -rfc for certificates, openssl pkcs12 -nodes for keys)`,
        );
      }
    }
    const truststore = get('ssl.truststore.location');
    const caLocation = get('ssl.ca.location');
    if (truststore !== undefined && caLocation !== undefined) fail('ssl.ca.location', 'give ssl.truststore.location or ssl.ca.location, not both');
    const caKey = truststore !== undefined ? 'ssl.truststore.location' : 'ssl.ca.location';
    const ca = truststore ?? caLocation;
    const caPem = ca === undefined ? undefined : read(caKey, ca);
    if (caPem !== undefined && !caPem.includes('-----BEGIN CERTIFICATE-----'))
      fail(caKey, `${ca} is not a PEM file of CA certificates (no '-----BEGIN CERTIFICATE-----')`);

    const keystore = get('ssl.keystore.location');
    const certLocation = get('ssl.certificate.location');
    const keyLocation = get('ssl.key.location');
    if (keystore !== undefined && (certLocation !== undefined || keyLocation !== undefined)) {
      fail(
        'ssl.keystore.location',
        'give ssl.keystore.location (one PEM file with certificate and key) or ssl.certificate.location + ssl.key.location, not both',
      );
    }
    let cert: string | undefined;
    let key: string | undefined;
    if (keystore !== undefined) {
      const pem = read('ssl.keystore.location', keystore);
      cert = pemBlocks(pem, /CERTIFICATE/);
      key = pemBlocks(pem, /PRIVATE KEY/);
      if (cert === undefined || key === undefined) fail('ssl.keystore.location', `${keystore} must hold the client certificate and its private key as PEM`);
    } else if (certLocation !== undefined || keyLocation !== undefined) {
      if (certLocation === undefined) fail('ssl.certificate.location', 'is required with ssl.key.location (mutual TLS needs both)');
      if (keyLocation === undefined) fail('ssl.key.location', 'is required with ssl.certificate.location (mutual TLS needs both)');
      cert = pemBlocks(read('ssl.certificate.location', certLocation!), /CERTIFICATE/);
      key = pemBlocks(read('ssl.key.location', keyLocation!), /PRIVATE KEY/);
      if (cert === undefined) fail('ssl.certificate.location', `${certLocation} holds no PEM certificate`);
      if (key === undefined) fail('ssl.key.location', `${keyLocation} holds no PEM private key`);
    }
    const keyPassword = get('ssl.key.password');
    if (keyPassword !== undefined && key === undefined) fail('ssl.key.password', 'is set but no client key is (ssl.keystore.location or ssl.key.location)');
    const algorithm = props.get('ssl.endpoint.identification.algorithm');
    if (algorithm !== undefined && algorithm.trim() !== '' && algorithm.trim().toLowerCase() !== 'https') {
      fail(
        'ssl.endpoint.identification.algorithm',
        `'${algorithm.trim()}' is not supported; use https (the default: verify the host name) or leave it empty to turn verification off`,
      );
    }
    return {
      ...(caPem !== undefined ? { ca: caPem } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(keyPassword !== undefined ? { keyPassword } : {}),
      verifyHostname: algorithm === undefined || algorithm.trim() !== '',
    };
  }
}

/** Replaces `${env:NAME}` and `${env::NAME}` with the variable's value. */
function substituteEnv(value: string, env: Readonly<Record<string, string | undefined>>, missing: (name: string) => never): string {
  return value.replace(/\$\{env::?([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const v = env[name];
    return v === undefined ? missing(name) : v;
  });
}

/** The PEM blocks of `pem` whose label matches, joined; undefined when there are none. */
function pemBlocks(pem: string, label: RegExp): string | undefined {
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)].filter((m) => label.test(m[1]!)).map((m) => m[0]);
  return blocks.length ? `${blocks.join('\n')}\n` : undefined;
}

/**
 * `<LoginModule> required key="value" ...;` → module and options. Messages never quote the text:
 * it holds the password.
 */
function parseJaas(text: string, fail: (message: string) => never): { module: string; options: Map<string, string> } {
  const m = /^\s*([A-Za-z0-9_.$]+)\s+(required|requisite|sufficient|optional)\s*([\s\S]*?)\s*;?\s*$/.exec(text);
  if (!m) return fail('is not of the form \'<LoginModule> required username="..." password="...";\'');
  const options = new Map<string, string>();
  const rest = m[3]!;
  const re = /([A-Za-z0-9_.]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]+))\s*/gy;
  let pos = 0;
  while (pos < rest.length) {
    re.lastIndex = pos;
    const o = re.exec(rest);
    if (!o) return fail(`cannot parse the options after the login module (at character ${pos + 1} of them); quote values: key="value"`);
    options.set(o[1]!, o[2] !== undefined ? o[2].replace(/\\(.)/g, '$1') : o[3]!);
    pos = re.lastIndex;
  }
  return { module: m[1]!, options };
}

function tokenFileProvider(path: string): OAuthBearerTokenProvider {
  return async () => {
    const { readFile } = await import('node:fs/promises');
    const value = (await readFile(path, 'utf8')).trim();
    if (value === '') throw new ConfigError(`tributary.oauthbearer.token.file: ${path} is empty`);
    return { value };
  };
}
