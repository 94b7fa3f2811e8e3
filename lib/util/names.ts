/**
 * The one validator for names that become Kafka topic names or path segments under the state
 * directory: application ids, store names, task ids and topic-derived directory names. A legal
 * name uses only Kafka's topic characters `[A-Za-z0-9._-]` (so no path separator, no NUL, no
 * space), is not `.` or `..`, and is at most `maxLength` characters long.
 */
import { ConfigError } from '../errors.js';

const LEGAL = /^[A-Za-z0-9._-]+$/;

/** Application ids: they prefix internal topic names (`<applicationId>-<store>-changelog`, at most 249). */
export const APPLICATION_ID_MAX_LENGTH = 200;
export const APPLICATION_ID_USE = 'names the consumer group, prefixes internal topics and is a directory under the state dir';

/** Kafka's limit on topic names. */
export const MAX_NAME_LENGTH = 249;

/** Why `name` is not a legal name, or null when it is. */
export function nameProblem(name: unknown, maxLength = MAX_NAME_LENGTH): string | null {
  if (typeof name !== 'string') return `it must be a string, got ${name === null ? 'null' : typeof name}`;
  if (name.length === 0) return 'it is empty';
  if (name === '.' || name === '..') return `'${name}' would name a directory outside its parent`;
  if (name.length > maxLength) return `it has ${name.length} characters, at most ${maxLength} are allowed`;
  if (!LEGAL.test(name)) {
    const bad = [...new Set([...name].filter((c) => !/[A-Za-z0-9._-]/.test(c)))].map((c) => JSON.stringify(c)).join(', ');
    return `it contains ${bad}; only letters, digits, '.', '_' and '-' are allowed`;
  }
  return null;
}

/**
 * Returns `name` when legal; else throws a `ConfigError` naming `what` (e.g. "applicationId"),
 * the value, the problem and what a legal name looks like.
 */
export function checkName(what: string, name: unknown, options: { readonly maxLength?: number; readonly usedFor?: string } = {}): string {
  const problem = nameProblem(name, options.maxLength);
  if (problem === null) return name as string;
  const usedFor = options.usedFor === undefined ? '' : ` (it ${options.usedFor})`;
  throw new ConfigError(
    `Invalid ${what} ${JSON.stringify(name)}: ${problem}${usedFor}. ` +
      `Use 1-${options.maxLength ?? MAX_NAME_LENGTH} characters of letters, digits, '.', '_' and '-', not '.' or '..' (e.g. "my-app").`,
  );
}
