import { describe, expect, it } from 'vitest';
import { resolveAppConfig } from '../../../lib/app/config.js';
import { ConfigError } from '../../../lib/errors.js';
import { createKafkaClient, defaultKafkaClient, EmbeddedKafka, kafkaClientFromEnv, loadKafkaClient, platformaticSupported } from '../../../lib/kafka/index.js';
import { configFromProperties, normalizeConfig } from '../../../lib/runtime/config.js';

describe('choosing the Kafka client library', () => {
  it('createKafkaClient makes platformatic by default (kafkajs where the Node version does not allow it) and kafkajs on request', () => {
    expect(createKafkaClient({ bootstrapServers: '127.0.0.1:9092' }).name).toBe(
      platformaticSupported() ? 'platformatic(127.0.0.1:9092)' : 'kafkajs(127.0.0.1:9092)',
    );
    expect(defaultKafkaClient()).toBe(platformaticSupported() ? 'platformatic' : 'kafkajs');
    expect(createKafkaClient({ bootstrapServers: '127.0.0.1:9092', client: 'kafkajs' }).name).toBe('kafkajs(127.0.0.1:9092)');
    if (platformaticSupported()) {
      expect(createKafkaClient({ bootstrapServers: 'a:1, b:2', client: 'platformatic' }).name).toBe('platformatic(a:1,b:2)');
    } else {
      expect(() => createKafkaClient({ bootstrapServers: 'a:1', client: 'platformatic' })).toThrow(ConfigError);
    }
  });

  it('platformaticSupported follows the Node versions @platformatic/kafka runs on', () => {
    expect(platformaticSupported('20.20.2')).toBe(false);
    expect(platformaticSupported('22.21.0')).toBe(false);
    expect(platformaticSupported('22.22.0')).toBe(true);
    expect(platformaticSupported('24.5.0')).toBe(false);
    expect(platformaticSupported('24.21.0')).toBe(true);
    expect(platformaticSupported('25.0.0')).toBe(true);
  });

  it('the kafkaClient key (tributary.kafka.client) picks the library of the clients the app creates; default platformatic; not with client', async () => {
    expect(normalizeConfig({ applicationId: 'a', bootstrapServers: 'h:1' }).kafkaClient).toBe(defaultKafkaClient());
    expect(normalizeConfig({ applicationId: 'a', bootstrapServers: 'h:1', kafkaClient: 'kafkajs' }).kafkaClient).toBe('kafkajs');
    expect(configFromProperties({ 'tributary.kafka.client': 'platformatic' })).toEqual({ kafkaClient: 'platformatic' });
    expect(() => normalizeConfig({ applicationId: 'a', bootstrapServers: 'h:1', kafkaClient: 'librdkafka' as never })).toThrow(ConfigError);
    expect(() => normalizeConfig({ applicationId: 'a', client: new EmbeddedKafka(), kafkaClient: 'kafkajs' })).toThrow(/kafkaClient/);
    if (platformaticSupported())
      expect((await resolveAppConfig({ applicationId: 'a', bootstrapServers: 'h:1', kafkaClient: 'platformatic' }).client()).name).toBe('platformatic(h:1)');
    else expect(() => resolveAppConfig({ applicationId: 'a', bootstrapServers: 'h:1', kafkaClient: 'platformatic' })).toThrow(/needs Node >= 22.22/);
    expect((await resolveAppConfig({ applicationId: 'a', bootstrapServers: 'h:1' }).client()).name).toBe(`${defaultKafkaClient()}(h:1)`);
    expect((await resolveAppConfig({ applicationId: 'a', bootstrapServers: 'h:1', kafkaClient: 'kafkajs' }).client()).name).toBe('kafkajs(h:1)');
  });

  it('loadKafkaClient loads the chosen library only; a process on the embedded broker loads neither', async () => {
    expect((await loadKafkaClient({ bootstrapServers: 'h:1' })).name).toBe(`${defaultKafkaClient()}(h:1)`);
    expect((await loadKafkaClient({ bootstrapServers: 'h:1', client: 'kafkajs' })).name).toBe('kafkajs(h:1)');
    if (platformaticSupported()) expect((await loadKafkaClient({ bootstrapServers: 'h:1,h:2', client: 'platformatic' })).name).toBe('platformatic(h:1,h:2)');
    await expect(loadKafkaClient({ bootstrapServers: ' ' })).rejects.toThrow(/bootstrapServers is empty/);
  });

  it('TRIBUTARY_KAFKA_CLIENT picks the library for the CLI', () => {
    expect(kafkaClientFromEnv({})).toBeUndefined();
    expect(kafkaClientFromEnv({ TRIBUTARY_KAFKA_CLIENT: ' platformatic ' })).toBe('platformatic');
    expect(() => kafkaClientFromEnv({ TRIBUTARY_KAFKA_CLIENT: 'rdkafka' })).toThrow(/TRIBUTARY_KAFKA_CLIENT=rdkafka: unknown Kafka client/);
  });
});
