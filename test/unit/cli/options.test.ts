import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { parseApplicationId, parseBootstrapServers, parseInstant, parseInteger, parseShare, resolveBrokerTarget } from '../../../lib/cli/options.js';

describe('parseBootstrapServers', () => {
  it('accepts host:port lists, IPv4, names and bracketed IPv6', () => {
    expect(parseBootstrapServers('127.0.0.1:9092')).toEqual(['127.0.0.1:9092']);
    expect(parseBootstrapServers('kafka-1:9092, kafka-2.example.com:19092')).toEqual(['kafka-1:9092', 'kafka-2.example.com:19092']);
    expect(parseBootstrapServers('[::1]:9092')).toEqual(['[::1]:9092']);
  });

  it.each(['', 'localhost', 'localhost:', ':9092', 'localhost:0', 'localhost:70000', 'local host:9092', 'a:1,,b:2', 'http://x:9092', 'x:9092x'])(
    'rejects %j naming the flag and the expected form',
    (text) => {
      expect(() => parseBootstrapServers(text)).toThrow(ConfigError);
      expect(() => parseBootstrapServers(text)).toThrow(/--bootstrap-servers.*Expected host:port\[,host:port\]/);
    },
  );
});

describe('resolveBrokerTarget', () => {
  it('prefers the flag, then KAFKA_BOOTSTRAP_SERVERS, then --embedded', () => {
    const env = { KAFKA_BOOTSTRAP_SERVERS: 'envhost:9092' };
    expect(resolveBrokerTarget({ bootstrapServers: 'flag:1' }, env, true)).toEqual({ kind: 'servers', servers: ['flag:1'] });
    expect(resolveBrokerTarget({}, env, true)).toEqual({ kind: 'servers', servers: ['envhost:9092'] });
    expect(resolveBrokerTarget({ embedded: true }, env, true)).toEqual({ kind: 'embedded' });
  });

  it('explains what to do when no broker is given', () => {
    expect(() => resolveBrokerTarget({}, {}, true)).toThrow(/--bootstrap-servers.*KAFKA_BOOTSTRAP_SERVERS.*--embedded/);
    expect(() => resolveBrokerTarget({}, {}, false)).toThrow(/KAFKA_BOOTSTRAP_SERVERS\.$/);
  });

  it('names the env var when its value is malformed, and rejects --embedded with servers', () => {
    expect(() => resolveBrokerTarget({}, { KAFKA_BOOTSTRAP_SERVERS: 'nope' }, false)).toThrow(/Invalid KAFKA_BOOTSTRAP_SERVERS/);
    expect(() => resolveBrokerTarget({ embedded: true, bootstrapServers: 'a:1' }, {}, true)).toThrow(/either --embedded or --bootstrap-servers/);
    expect(() => resolveBrokerTarget({ embedded: true }, {}, false)).toThrow(/needs a real broker/);
  });
});

describe('scalar flags', () => {
  it('parses integers within bounds', () => {
    expect(parseInteger('4', '--partitions', 1)).toBe(4);
    expect(() => parseInteger('0', '--partitions', 1)).toThrow(/--partitions.*>= 1/);
    expect(() => parseInteger('2.5', '--partitions', 1)).toThrow(ConfigError);
    expect(() => parseInteger('x', '--seed', 0, 10)).toThrow(/between 0 and 10/);
  });

  it('parses shares as fractions or percentages', () => {
    expect(parseShare('0.05', '--late-share')).toBe(0.05);
    expect(parseShare('5%', '--late-share')).toBeCloseTo(0.05);
    expect(() => parseShare('1.5', '--late-share')).toThrow(/--late-share/);
    expect(() => parseShare('-0.1', '--late-share')).toThrow(ConfigError);
  });

  it('parses instants with a timezone or epoch ms', () => {
    expect(parseInstant('2025-01-01T00:00:00Z', '--start-time')).toBe(Date.UTC(2025, 0, 1));
    expect(parseInstant('1735689600000', '--start-time')).toBe(Date.UTC(2025, 0, 1));
    expect(() => parseInstant('2025-01-01T00:00:00', '--start-time')).toThrow(/timezone/);
  });

  it('accepts application ids that are safe as topic prefixes and directory names', () => {
    expect(parseApplicationId('fraud-detector_v2.1')).toBe('fraud-detector_v2.1');
    for (const bad of ['', '..', 'a/b', 'a b', 'x'.repeat(201)]) expect(() => parseApplicationId(bad)).toThrow(ConfigError);
  });
});
