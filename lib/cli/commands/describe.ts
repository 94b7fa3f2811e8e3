/**
 * `tributary describe <topology.ts>`: prints a topology's sub-topologies, processors, stores and
 * internal topics (Kafka Streams `Topology.describe()` format, then the internal topics resolved
 * for the application id) without connecting to Kafka.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { parseApplicationId, parseDurationFlag } from '../options.js';
import { loadTopology, parseParams } from '../run/topology-module.js';

export interface DescribeCommandOptions {
  readonly topology: string;
  /** Used to name internal topics in the output. */
  readonly applicationId: string | undefined;
  readonly json: boolean;
  readonly windowMs?: number | undefined;
  readonly dataDir?: string;
  readonly params?: Readonly<Record<string, string>>;
}

interface RawDescribeOptions {
  applicationId?: string;
  json?: boolean;
  window?: string;
  dataDir: string;
  param: string[];
}

export function registerDescribeCommand(program: Command, ctx: CliContext): void {
  program
    .command('describe')
    .description('print the processors, stores and internal topics of a topology file')
    .argument('<topology.ts>', 'TypeScript module whose default export is a Topology or a function (options) => Topology')
    .option('--application-id <id>', 'application id used to name internal topics')
    .option('--json', 'print JSON instead of the Kafka Streams text format')
    .option('--window <duration>', 'window size for topologies that take one, e.g. "1 minute"')
    .option('--data-dir <dir>', 'base directory of the Delta tables a topology writes', 'data')
    .option('--param <key=value>', 'a topology setting (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .action(async (topology: string, raw: RawDescribeOptions) => {
      await describeTopology(
        {
          topology,
          applicationId: raw.applicationId === undefined ? undefined : parseApplicationId(raw.applicationId, '--application-id'),
          json: raw.json === true,
          windowMs: raw.window === undefined ? undefined : parseDurationFlag(raw.window, '--window', { allowZero: false }),
          dataDir: raw.dataDir,
          params: parseParams(raw.param),
        },
        ctx,
      );
    });
}

export async function describeTopology(options: DescribeCommandOptions, ctx: CliContext): Promise<void> {
  const loaded = await loadTopology(options.topology, {
    applicationId: options.applicationId,
    windowMs: options.windowMs,
    dataDir: options.dataDir ?? 'data',
    params: options.params ?? {},
  });
  const description = loaded.topology.describe();
  const built = loaded.topology.build(loaded.applicationId);
  const internal = {
    repartition: built.repartitionTopics.map((t) => t.name),
    changelog: built.changelogTopics.map((t) => ({ topic: t.name, store: t.store })),
  };
  if (options.json) {
    ctx.stdout(
      `${JSON.stringify(
        {
          applicationId: loaded.applicationId,
          sourceTopics: built.sourceTopics,
          subtopologies: description.subtopologies,
          globalStores: description.globalStores,
          internalTopics: internal,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  let text = `${description.toString()}`;
  if (!text.endsWith('\n')) text += '\n';
  text += `\nApplication id: ${loaded.applicationId}\n`;
  text += `Source topics: ${built.sourceTopics.join(', ') || '(none)'}\n`;
  text += `Repartition topics: ${internal.repartition.join(', ') || '(none)'}\n`;
  text += `Changelog topics: ${internal.changelog.map((c) => `${c.topic} (store ${c.store})`).join(', ') || '(none)'}\n`;
  ctx.stdout(text);
}
