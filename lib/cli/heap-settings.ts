/**
 * The runner's V8 heap setting. A stream processor allocates at a steady high rate while keeping
 * a modest live set (open windows, caches); V8's default heap growth then lets the old generation
 * grow to several times the live set between full collections. The runner (the `tributary`
 * command, which owns its process) caps the growth factor at 1 + 50% by default — like the heap
 * and GC options a JVM launcher sets for Kafka — trading a few percent of CPU for a much smaller
 * resident set (bench:windows: peak RSS ~680 → ~480 MB). The library itself never changes V8
 * flags; applications embedding it choose their own.
 *
 * `TRIBUTARY_HEAP_GROWING_PERCENT=<n>` sets another percentage; `0` keeps V8's default. A
 * `--heap-growing-percent` given in `NODE_OPTIONS` or on the node command line wins.
 */
import v8 from 'node:v8';
import { ConfigError } from '../errors.js';

export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** Applies the runner's heap growth setting; returns the percentage applied, or null (V8 default or set elsewhere). */
export function applyRunnerHeapSettings(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): number | null {
  const given = `${env['NODE_OPTIONS'] ?? ''} ${execArgv.join(' ')}`;
  if (given.includes('--heap-growing-percent')) return null;
  const raw = env['TRIBUTARY_HEAP_GROWING_PERCENT'];
  const percent = raw === undefined || raw === '' ? DEFAULT_HEAP_GROWING_PERCENT : Number(raw);
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    throw new ConfigError(`TRIBUTARY_HEAP_GROWING_PERCENT must be an integer from 0 (V8 default) to 1000, got "${raw}"`);
  }
  if (percent === 0) return null;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
