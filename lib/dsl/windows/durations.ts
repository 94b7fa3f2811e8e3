/** Reads a window parameter (ms or a duration string) into ms; a bad value is a `ConfigError` naming the parameter. */
import { ConfigError } from '../../errors.js';
import { parseDuration } from '../../util/duration.js';

/** A duration as users write it: milliseconds or a string such as `"10 minutes"`. */
export type DurationInput = number | string;

export function windowDuration(input: DurationInput, parameter: string, options: { positive?: boolean } = {}): number {
  if (input === undefined || input === null) throw new ConfigError(`${parameter} is required`);
  const ms = parseDuration(input, { flag: parameter, allowZero: options.positive !== true });
  if (!Number.isSafeInteger(ms)) throw new ConfigError(`${parameter} must be a whole number of milliseconds, got ${String(input)}`);
  return ms;
}
