import { describe, expect, it } from 'vitest';
import { parseClientProperties, parsePropertiesText } from '../../../lib/app/client-properties.js';
import { ConfigError } from '../../../lib/errors.js';
import { describeSecurity } from '../../../lib/kafka/security.js';
import { resolveAppConfig } from '../../../lib/app/config.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n';
const FILES: Record<string, string> = {
  '/certs/ca.pem': CA,
  '/certs/client.pem': KEY + CA,
  '/certs/client.crt': CA,
  '/certs/client.key': KEY,
  '/certs/bad.pem': 'not pem',
};
const readFile = (p: string): string => {
  const f = FILES[p];
  if (f === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return f;
};
const SECRET = 'Sup3r-Secret-Pa55word';
const parse = (text: string, env: Record<string, string> = {}) => parseClientProperties(text, { env, readFile, cwd: '/certs', source: 'client.properties' });

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parsePropertiesText', () => {
  it('reads key=value, key: value, comments and continued lines', () => {
    const p = parsePropertiesText('# c\n! c\na=1\nb: two\nc = x \\\n   y\n\n');
    expect([...p]).toEqual([
      ['a', '1'],
      ['b', 'two'],
      ['c', 'x y'],
    ]);
  });
});

describe('parseClientProperties', () => {
  it('SASL_SSL with SCRAM-SHA-512: credentials from sasl.jaas.config, password from ${env:...}, PEM trust store', () => {
    const p = parse(
      [
        'bootstrap.servers=broker-1:9093,broker-2:9093',
        'security.protocol=SASL_SSL',
        'sasl.mechanism=SCRAM-SHA-512',
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\',
        '  username="alice" password="${env:KAFKA_PASSWORD}";',
        'ssl.truststore.location=ca.pem',
        'ssl.truststore.type=PEM',
      ].join('\n'),
      { KAFKA_PASSWORD: SECRET },
    );
    expect(p.bootstrapServers).toBe('broker-1:9093,broker-2:9093');
    expect(p.security).toEqual({
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: SECRET },
      tls: { ca: CA, verifyHostname: true },
    });
    expect(describeSecurity(p.security)).toBe("SASL_SSL (SCRAM-SHA-512, user 'alice')");
  });

  it("Kafka's ${env::NAME} form and TRIBUTARY_SASL_USERNAME / TRIBUTARY_SASL_PASSWORD fill what the file leaves out", () => {
    const a = parse(
      'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=bob password="${env::PW}";',
      { PW: SECRET },
    );
    expect(a.security.sasl).toEqual({ mechanism: 'PLAIN', username: 'bob', password: SECRET });
    const b = parse('security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-256', { TRIBUTARY_SASL_USERNAME: 'carol', TRIBUTARY_SASL_PASSWORD: SECRET });
    expect(b.security.sasl).toEqual({ mechanism: 'SCRAM-SHA-256', username: 'carol', password: SECRET });
  });

  it('mutual TLS from one PEM key store or from certificate + key locations; hostname verification can be turned off', () => {
    const a = parse('security.protocol=SSL\nssl.ca.location=/certs/ca.pem\nssl.keystore.location=/certs/client.pem\nssl.keystore.type=PEM');
    expect(a.security.tls).toEqual({ ca: CA, cert: CA, key: KEY, verifyHostname: true });
    const b = parse(
      'security.protocol=SSL\nssl.certificate.location=client.crt\nssl.key.location=client.key\nssl.key.password=${env:KP}\nssl.endpoint.identification.algorithm=',
      { KP: SECRET },
    );
    expect(b.security.tls).toEqual({ cert: CA, key: KEY, keyPassword: SECRET, verifyHostname: false });
    expect(describeSecurity(b.security)).toBe('SSL (client certificate)');
  });

  it('OAUTHBEARER reads the token file on every connection', async () => {
    const p = parseClientProperties('security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\ntributary.oauthbearer.token.file=/dev/null', { env: {} });
    expect(p.security.sasl?.mechanism).toBe('OAUTHBEARER');
    await expect((p.security.sasl as { tokenProvider: () => Promise<unknown> }).tokenProvider()).rejects.toThrow(/is empty/);
    const provider = async () => ({ value: 'jwt' });
    const q = parseClientProperties('security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER', { env: {}, tokenProvider: provider });
    expect(q.security.sasl).toEqual({ mechanism: 'OAUTHBEARER', tokenProvider: provider });
  });

  it.each([
    ['security.protocol=SASL_SSLL', /security.protocol: unknown protocol 'SASL_SSLL'; use one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/],
    [
      'security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI',
      /sasl.mechanism: unsupported mechanism 'GSSAPI'; use one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER/,
    ],
    ['security.protocol=SASL_SSL', /sasl.mechanism: is required with SASL_SSL/],
    ['security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER', /OAUTHBEARER needs a token/],
    ['security.protocol=SASL_SSL\nsasl.mechanism=PLAIN', /needs a username/],
    ['sasl.mechanism=PLAIN', /sasl.mechanism: is set but security.protocol is PLAINTEXT/],
    [
      'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nssl.truststore.location=ca.pem\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b";',
      /ssl.truststore.location: is set but security.protocol is SASL_PLAINTEXT/,
    ],
    ['security.protocol=SSL\nssl.truststore.type=JKS', /ssl.truststore.type: 'JKS' stores are not supported; use PEM/],
    ['security.protocol=SSL\nssl.truststore.location=missing.pem', /ssl.truststore.location: cannot read \/certs\/missing.pem \(ENOENT\)/],
    ['security.protocol=SSL\nssl.truststore.location=bad.pem', /is not a PEM file/],
    ['security.protocol=SSL\nssl.certificate.location=client.crt', /ssl.key.location: is required/],
    ['security.protocol=SSL\nssl.endpoint.identification.algorithm=ldap', /ssl.endpoint.identification.algorithm: 'ldap' is not supported/],
    ['security.protocol=SSL\nssl.truststore.password=x', /ssl.truststore.password: unknown client property; known: security.protocol/],
    ['security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=${env:NOPE}', /sasl.jaas.config: refers to \$\{env:NOPE\}, which is not set/],
  ])('%s fails with a message naming the key', (text, message) => {
    expect(configError(() => parse(text)).message).toMatch(message);
  });

  it('messages never contain the secret, even when the JAAS text or login module is wrong', () => {
    const bad = [
      `security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="${SECRET}";`,
      `security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=ScramLoginModule required username="a" password=${SECRET} "oops;`,
      `security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=${SECRET}`,
      `security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="" password="${SECRET}";`,
      `security.protocol=SSL\nssl.key.password=${SECRET}`,
    ];
    for (const text of bad) {
      const e = configError(() => parse(text));
      expect(e.message).not.toContain(SECRET);
      expect(JSON.stringify(e.context)).not.toContain(SECRET);
    }
  });
});

describe('TributaryAppConfig.security', () => {
  it('is validated at construction, without echoing secrets', () => {
    const e = configError(() =>
      resolveAppConfig({
        applicationId: 'a',
        bootstrapServers: 'h:1',
        security: { protocol: 'SSL', sasl: { mechanism: 'PLAIN', username: 'u', password: SECRET } },
      }),
    );
    expect(e.message).toMatch(/SASL settings are given but the protocol is SSL/);
    expect(e.message).not.toContain(SECRET);
    const m = configError(() =>
      resolveAppConfig({
        applicationId: 'a',
        bootstrapServers: 'h:1',
        security: { protocol: 'SASL_SSL', sasl: { mechanism: 'GSSAPI' as 'PLAIN', username: 'u', password: SECRET } },
      }),
    );
    expect(m.message).toMatch(/unknown SASL mechanism "GSSAPI"; supported: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER/);
  });
});
