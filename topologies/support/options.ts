/**
 * What `tributary run` hands a topology factory (see docs/dsl-guide.md, "Topology files"):
 * the application id, `--window`, `--data-dir` and `--param key=value` pairs. Declared here
 * structurally so the topologies need nothing but the public API; every field is optional, so
 * `build()` with no arguments gives the defaults (what tests and the demo use as a baseline).
 */
import { join } from 'node:path';
import { ConfigError, parseDuration } from '../../lib/index.js';

export interface TopologyFactoryOptions {
  readonly applicationId?: string;
  readonly windowMs?: number | undefined;
  readonly dataDir?: string;
  readonly params?: Readonly<Record<string, string>>;
}

/** Reads a `--param`, with a default; unknown names are an error so a typo never goes unnoticed. */
export class Params {
  private readonly values: Readonly<Record<string, string>>;

  constructor(options: TopologyFactoryOptions, known: readonly string[]) {
    this.values = options.params ?? {};
    const unknown = Object.keys(this.values).filter((k) => !known.includes(k));
    if (unknown.length) {
      throw new ConfigError(`Unknown --param ${unknown.map((k) => `'${k}'`).join(', ')}; this topology takes ${known.map((k) => `'${k}'`).join(', ')}.`);
    }
  }

  string(name: string, fallback: string): string {
    const v = this.values[name];
    return v === undefined || v === '' ? fallback : v;
  }

  durationMs(name: string, fallback: string): number {
    return parseDuration(this.string(name, fallback), { flag: `--param ${name}` });
  }
}

/** Where tables go: `<dataDir>/<layer>/<name>`; dataDir defaults to `./data`. */
export function tablePath(options: TopologyFactoryOptions, layer: string, name: string): string {
  return join(options.dataDir ?? 'data', layer, name);
}
