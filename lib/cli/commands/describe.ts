/**
 * `tributary describe <topology.ts>`: prints a topology's sub-topologies, processors, stores and
 * internal topics (Kafka Streams `Topology.describe()` format) without connecting to Kafka.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notImplemented } from '../not-implemented.js';
import { parseApplicationId } from '../options.js';

export interface DescribeCommandOptions {
  readonly topology: string;
  /** Used to name internal topics in the output. */
  readonly applicationId: string | undefined;
  readonly json: boolean;
}

export function registerDescribeCommand(program: Command, ctx: CliContext): void {
  program
    .command('describe')
    .description('print the processors, stores and internal topics of a topology file')
    .argument('<topology.ts>', 'TypeScript module whose default export is a Topology')
    .option('--application-id <id>', 'application id used to name internal topics')
    .option('--json', 'print JSON instead of the Kafka Streams text format')
    .action(async (topology: string, raw: { applicationId?: string; json?: boolean }) => {
      await describeTopology(
        {
          topology,
          applicationId: raw.applicationId === undefined ? undefined : parseApplicationId(raw.applicationId, '--application-id'),
          json: raw.json === true,
        },
        ctx,
      );
    });
}

export async function describeTopology(options: DescribeCommandOptions, _ctx: CliContext): Promise<void> {
  throw notImplemented(`describe ${options.topology}`);
}
