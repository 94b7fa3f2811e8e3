/**
 * Turns the schema's issues into one `ConfigError` whose message lists every invalid key with
 * what to change (`commitIntervalMs: must be >= 0`), and suggests the nearest known key for an
 * unknown one (`comitIntervalMs: unknown configuration key; did you mean 'commitIntervalMs'?`).
 */
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { CONFIG_KEYS } from './config-schema.js';

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

function suggestion(key: string): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of CONFIG_KEYS) {
    const dist = distance(key, k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 4)) ? `; did you mean '${best}'?` : '';
}

/** The config key an issue is about: the unknown key itself for `unrecognized_keys` (whose path is its parent's). */
function issueKeys(issue: z.core.$ZodIssue): string[] {
  const parent = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => [...parent, k].join('.'));
  return [parent.join('.') || '(config)'];
}

/** One `ConfigError` for all of `error`'s issues; its context names the first key. */
export function toConfigError(error: z.ZodError): ConfigError {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issueKeys(issue)
        .map((k) => `${k}: unknown configuration key${issue.path.length === 0 ? suggestion(k) : ''}`)
        .join('\n');
    return `${issueKeys(issue)[0]}: ${issue.message}`;
  });
  const first = error.issues[0];
  return new ConfigError(`Invalid tributary configuration:\n${lines.join('\n')}`, { context: { key: first === undefined ? '' : issueKeys(first)[0]! } });
}

/** A `ConfigError` in the same shape for a rule checked outside the schema. */
export function configKeyError(key: string, message: string): ConfigError {
  return new ConfigError(`Invalid tributary configuration:\n${key}: ${message}`, { context: { key } });
}
