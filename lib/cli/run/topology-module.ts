/**
 * Loading a topology file for `tributary run` / `describe` / `demo`. The file is a TypeScript (or
 * JavaScript) ES module, imported directly (the `tributary` launcher registers tsx). Its default
 * export is one of:
 *
 * - a `Topology` (e.g. `export default builder.build()`);
 * - a function `(options: TopologyOptions) => Topology | TopologyDefinition` (may be async), so
 *   command-line flags such as `--window "1 minute"` and `--param key=value` reach it;
 * - a `TopologyDefinition` object `{ topology, applicationId?, config?, topics? }` (or a function
 *   returning one): `topics` lists output topics `run` creates when missing.
 *
 * A module may also export `applicationId` (a string) — used when `--application-id` is not
 * given, else the file name (without extension) is the application id.
 *
 * Anything else is a `ConfigError` that says what the module exported instead.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, TributaryError } from '../../errors.js';
import type { TributaryAppConfig } from '../../app/index.js';
import type { Topology } from '../../topology/topology.js';

/** What a topology factory receives. Every field is plain data, so a topology file needs no CLI import. */
export interface TopologyOptions {
  /** The application id the topology will run under. */
  readonly applicationId: string;
  /** `--window`, in ms; undefined when not given (the topology picks its default). */
  readonly windowMs: number | undefined;
  /** Base directory for file outputs such as Delta tables (`--data-dir`, default `./data`). */
  readonly dataDir: string;
  /** `--param key=value` pairs (repeatable), for topology-specific settings such as topic names. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * App settings a topology may suggest (validated by `TributaryApp`: an unknown or invalid key is a
 * `ConfigError` naming it); command-line flags win over them. The connection comes from the CLI.
 */
export type TopologyConfig = Partial<Omit<TributaryAppConfig, 'applicationId' | 'bootstrapServers' | 'client' | 'installSignalHandlers'>>;

/** A topic the topology writes to and `tributary run` creates when missing (default: as many partitions as its largest input topic). */
export interface OutputTopicSpec {
  readonly topic: string;
  readonly partitions?: number;
}

export interface TopologyDefinition {
  readonly topology: Topology;
  readonly applicationId?: string;
  readonly config?: TopologyConfig;
  /** Output topics to create before start when missing (sinks, late-records topics). */
  readonly topics?: readonly OutputTopicSpec[];
}

export interface LoadedTopology {
  readonly file: string;
  readonly topology: Topology;
  readonly applicationId: string;
  readonly config: TopologyConfig;
  readonly topics: readonly OutputTopicSpec[];
}

/** Resolves `path` against the working directory and checks it is a readable file. */
export function resolveTopologyPath(path: string): string {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new ConfigError(`Topology file not found: ${path}`);
  if (!statSync(abs).isFile()) throw new ConfigError(`Topology path is not a file: ${path}`);
  return abs;
}

/** The application id derived from a file name: `topologies/transactions-bronze.ts` → `transactions-bronze`. */
export function applicationIdFromFile(file: string): string {
  const name = basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '-');
  return name === '' || name === '.' || name === '..' ? 'tributary-app' : name;
}

/**
 * Imports the module and produces its topology. `applicationId` (from `--application-id`) wins
 * over the module's own; options other than the id are passed to a factory as given.
 */
export async function loadTopology(
  path: string,
  options: {
    readonly applicationId: string | undefined;
    readonly windowMs: number | undefined;
    readonly dataDir: string;
    readonly params: Readonly<Record<string, string>>;
  },
): Promise<LoadedTopology> {
  const file = resolveTopologyPath(path);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new TributaryError(
      `Cannot load topology file ${path}: importing it threw: ${err instanceof Error ? err.message : String(err)}. Fix the file (run it with node/tsx to see the stack) and retry.`,
      {
        code: 'CONFIG',
        cause: err,
      },
    );
  }
  const moduleAppId = typeof mod['applicationId'] === 'string' ? mod['applicationId'] : undefined;
  const fallbackAppId = options.applicationId ?? moduleAppId ?? applicationIdFromFile(file);
  let exported = mod['default'];
  if (exported === undefined) {
    const names = Object.keys(mod).filter((k) => k !== 'default');
    throw new ConfigError(
      `${path} exports no topology: it needs a default export (a Topology, or a function (options) => Topology)` +
        (names.length ? `; it exports only ${names.map((n) => `'${n}'`).join(', ')}.` : '; it exports nothing.'),
    );
  }
  if (typeof exported === 'function' && !isTopology(exported)) {
    try {
      exported = await (exported as (o: TopologyOptions) => unknown)({
        applicationId: fallbackAppId,
        windowMs: options.windowMs,
        dataDir: options.dataDir,
        params: options.params,
      });
    } catch (err) {
      if (err instanceof TributaryError) throw err;
      throw new TributaryError(`The topology function of ${path} failed: ${err instanceof Error ? err.message : String(err)}`, {
        code: 'CONFIG',
        cause: err,
      });
    }
  }
  if (isTopology(exported)) {
    return { file, topology: exported, applicationId: fallbackAppId, config: {}, topics: [] };
  }
  if (isDefinition(exported)) {
    const appId = options.applicationId ?? exported.applicationId ?? fallbackAppId;
    return { file, topology: exported.topology, applicationId: appId, config: exported.config ?? {}, topics: exported.topics ?? [] };
  }
  throw new ConfigError(
    `${path} exports no topology: its default export is ${describeValue(exported)}; expected a Topology ` +
      '(StreamsBuilder.build()), a function (options) => Topology, or { topology, config }.',
  );
}

/** Duck-typed so that a topology built against another copy of the library still loads. */
function isTopology(value: unknown): value is Topology {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const v = value as { build?: unknown; describe?: unknown; nodes?: unknown };
  return typeof v.build === 'function' && typeof v.describe === 'function' && v.nodes instanceof Map;
}

function isDefinition(value: unknown): value is TopologyDefinition {
  return typeof value === 'object' && value !== null && isTopology((value as { topology?: unknown }).topology);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    return keys.length ? `an object with keys ${keys.slice(0, 5).join(', ')}` : 'an empty object';
  }
  return `a ${typeof value}`;
}

/** Parses repeated `--param key=value` flags. */
export function parseParams(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new ConfigError(`Invalid --param: ${JSON.stringify(v)}. Expected key=value, e.g. --param input-topic=transactions.`);
    out[v.slice(0, eq).trim()] = v.slice(eq + 1);
  }
  return out;
}
