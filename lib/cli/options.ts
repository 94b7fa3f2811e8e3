/**
 * Option parsing shared by the commands. Commander hands over raw strings; these functions turn
 * them into typed values and throw a `ConfigError` that names the flag and the accepted form.
 */
import { homedir } from 'node:os';
import { ConfigError } from '../errors.js';
import { parseDuration, type DurationUnit } from '../util/duration.js';
import { APPLICATION_ID_MAX_LENGTH, APPLICATION_ID_USE, checkName } from '../util/names.js';

export const BOOTSTRAP_ENV = 'KAFKA_BOOTSTRAP_SERVERS';

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;

/**
 * Parses `host:port[,host:port]` (IPv6 hosts in brackets, e.g. `[::1]:9092`) into a list of
 * `host:port` strings. `source` names the flag or variable in errors.
 */
export function parseBootstrapServers(text: string, source = '--bootstrap-servers'): string[] {
  const parts = text.split(',').map((s) => s.trim());
  if (text.trim() === '' || parts.some((p) => p === '')) {
    throw bootstrapError(text, source, 'it has an empty entry');
  }
  return parts.map((part) => {
    const colon = part.lastIndexOf(':');
    if (colon <= 0) throw bootstrapError(text, source, `"${part}" has no port`);
    const host = part.slice(0, colon);
    const portText = part.slice(colon + 1);
    if (!(HOST.test(host) || IPV6.test(host))) throw bootstrapError(text, source, `"${host}" is not a host name or IP address`);
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) throw bootstrapError(text, source, `"${portText}" is not a port (1-65535)`);
    return `${host}:${port}`;
  });
}

function bootstrapError(text: string, source: string, why: string): ConfigError {
  return new ConfigError(
    `Invalid ${source}: ${JSON.stringify(text)} (${why}). Expected host:port[,host:port], e.g. 127.0.0.1:9092 or kafka-1:9092,kafka-2:9092.`,
  );
}

export type BrokerTarget = { readonly kind: 'servers'; readonly servers: readonly string[] } | { readonly kind: 'embedded' };

/**
 * Where to find Kafka: `--bootstrap-servers`, else `$KAFKA_BOOTSTRAP_SERVERS`, else the embedded
 * broker when the command supports `--embedded` and it was given. `--embedded` together with
 * `--bootstrap-servers` is an error.
 */
export function resolveBrokerTarget(
  options: { readonly bootstrapServers?: string | undefined; readonly embedded?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>>,
  embeddedSupported: boolean,
): BrokerTarget {
  if (options.embedded) {
    if (!embeddedSupported) throw new ConfigError('--embedded is not supported by this command: it needs a real broker.');
    if (options.bootstrapServers !== undefined) {
      throw new ConfigError('Use either --embedded or --bootstrap-servers, not both.');
    }
    return { kind: 'embedded' };
  }
  if (options.bootstrapServers !== undefined) return { kind: 'servers', servers: parseBootstrapServers(options.bootstrapServers) };
  const fromEnv = env[BOOTSTRAP_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { kind: 'servers', servers: parseBootstrapServers(fromEnv, BOOTSTRAP_ENV) };
  throw new ConfigError(
    `No Kafka broker given: pass --bootstrap-servers host:port or set ${BOOTSTRAP_ENV}` +
      (embeddedSupported ? ', or use --embedded for the in-process broker.' : '.'),
  );
}

/** A whole number within bounds, e.g. `--partitions`. */
export function parseInteger(text: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new ConfigError(`Invalid ${flag}: ${JSON.stringify(text)}. Expected a whole number ${range}.`);
  }
  return n;
}

/** A share in [0, 1] given as a fraction (`0.05`) or a percentage (`5%`). */
export function parseShare(text: string, flag: string): number {
  const t = text.trim();
  const pct = t.endsWith('%');
  const body = pct ? t.slice(0, -1) : t;
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(body) ? Number(body) / (pct ? 100 : 1) : NaN;
  if (!(n >= 0 && n <= 1)) {
    throw new ConfigError(`Invalid ${flag}: ${JSON.stringify(text)}. Expected a fraction between 0 and 1 (e.g. 0.05) or a percentage (e.g. 5%).`);
  }
  return n;
}

/** A duration flag; see `parseDuration` for the accepted forms. */
export function parseDurationFlag(
  text: string,
  flag: string,
  options: { readonly bareUnit?: DurationUnit; readonly allowZero?: boolean; readonly fractional?: boolean } = {},
): number {
  return parseDuration(text, { ...options, flag });
}

/** An ISO-8601 instant with a timezone (`2025-01-01T00:00:00Z`) or epoch milliseconds. */
export function parseInstant(text: string, flag: string): number {
  const t = text.trim();
  const ms = /^\d+$/.test(t) ? Number(t) : /(Z|[+-]\d{2}:?\d{2})$/i.test(t) ? Date.parse(t) : NaN;
  if (!Number.isFinite(ms)) {
    throw new ConfigError(
      `Invalid ${flag}: ${JSON.stringify(text)}. Expected an ISO-8601 time with a timezone (e.g. 2025-01-01T00:00:00Z) or epoch milliseconds.`,
    );
  }
  return ms;
}

/** A user-friendly `~`-abbreviation for paths in messages. */
export function displayPath(path: string): string {
  const home = homedir();
  return home && path.startsWith(home + '/') ? `~${path.slice(home.length)}` : path;
}

/** An application id: the prefix of internal topics, the consumer group id and the state subdirectory. */
export function parseApplicationId(text: string, flag = 'application id'): string {
  return checkName(flag, text, { maxLength: APPLICATION_ID_MAX_LENGTH, usedFor: APPLICATION_ID_USE });
}
