/**
 * OAUTHBEARER over SASL_SSL against the test broker (Kafka's default validator, which accepts
 * unsecured JWTs): the library's token provider is called per connection and its token
 * authenticates produce and consume; the CLI reads `tributary.oauthbearer.token.file`; an expired
 * token fails at connect with an authentication error, without printing the token.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import type { KafkaSecurity } from '../../../lib/kafka/security.js';
import { secureBroker, uniqueName } from '../../helpers/kafka-env.js';
import { runBin } from '../pipeline/bin.js';
import { outgoingBatch } from '../../../lib/kafka/columns.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-oauth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An unsecured JWT (alg "none") for `sub`, valid from `iat` for `lifetimeS` seconds. */
function unsecuredJwt(sub: string, lifetimeS: number, iat = Math.floor(Date.now() / 1000)): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none' })}.${b64({ sub, iat, exp: iat + lifetimeS })}.`;
}

describe('OAUTHBEARER over SASL_SSL', () => {
  it('the token provider authenticates admin, producer and consumer; it is asked per connection', async () => {
    const s = secureBroker();
    let calls = 0;
    const security: KafkaSecurity = {
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'OAUTHBEARER', tokenProvider: async () => (calls++, { value: unsecuredJwt('alice', 3600) }) },
      tls: { ca: readFileSync(s.caFile, 'utf8') },
    };
    const client = createKafkaClient({ bootstrapServers: s.saslSslBootstrap, clientId: 'oauth-test', security });
    const admin = client.admin();
    await admin.connect();
    const topic = uniqueName('oauth');
    try {
      await admin.createTopics([{ topic, numPartitions: 1 }]);
      const producer = client.producer();
      await producer.connect();
      await producer.send(outgoingBatch([{ topic, partition: 0, key: Buffer.from('k'), value: Buffer.from('v') }]));
      await producer.disconnect();
      const ends = await admin.fetchTopicOffsets(topic);
      expect(ends[0]!.high).toBe(1);
      expect(calls).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.deleteTopics([topic]).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('the CLI reads the token file; an expired token fails at connect without printing it', async () => {
    const s = secureBroker();
    const tokenFile = join(dir, 'token');
    const config = join(dir, 'oauth.properties');
    writeFileSync(
      config,
      ['security.protocol=SASL_SSL', 'sasl.mechanism=OAUTHBEARER', `tributary.oauthbearer.token.file=${tokenFile}`, `ssl.truststore.location=${s.caFile}`].join(
        '\n',
      ),
    );
    const topic = uniqueName('oauth-cli');
    writeFileSync(tokenFile, unsecuredJwt('alice', 3600));
    const ok = await runBin([
      'produce',
      'transactions',
      '--bootstrap-servers',
      s.saslSslBootstrap,
      '--client-config',
      config,
      '--topic',
      topic,
      '--num-transactions',
      '10',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const expired = unsecuredJwt('alice', 60, Math.floor(Date.now() / 1000) - 3600);
    writeFileSync(tokenFile, expired);
    const bad = await runBin([
      'produce',
      'transactions',
      '--bootstrap-servers',
      s.saslSslBootstrap,
      '--client-config',
      config,
      '--topic',
      topic,
      '--num-transactions',
      '10',
      '--connect-timeout',
      '15s',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`Authentication failed at ${s.saslSslBootstrap} over SASL_SSL \\(OAUTHBEARER\\).*Check that the token is current`));
    expect(bad.stdout + bad.stderr).not.toContain(expired.split('.')[1]!);
    expect(bad.ms).toBeLessThan(20_000);
  }, 60_000);
});
