/**
 * `tributary run <topology.ts>`: runs a topology file's default export against Kafka until
 * interrupted. Flags are final; the runtime wiring lands with lib/runtime.
 */
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { notImplemented } from '../not-implemented.js';
import { parseApplicationId, parseDurationFlag, resolveBrokerTarget, type BrokerTarget } from '../options.js';
import { addBootstrapOption, addConnectTimeoutOption } from './shared.js';

export interface RunCommandOptions {
  /** Path of the topology module as given. */
  readonly topology: string;
  readonly broker: BrokerTarget;
  /** Undefined: taken from the topology module, else derived from its file name. */
  readonly applicationId: string | undefined;
  /** Undefined: the runtime default (`<os tmpdir>/tributary`). */
  readonly stateDir: string | undefined;
  readonly processingGuarantee: 'exactly_once' | 'at_least_once';
  /** Window size override for topologies that read it, ms. */
  readonly windowMs: number | undefined;
  readonly connectTimeoutMs: number;
}

interface RawRunOptions {
  bootstrapServers?: string;
  embedded?: boolean;
  applicationId?: string;
  stateDir?: string;
  processingGuarantee: 'exactly_once' | 'at_least_once';
  window?: string;
  connectTimeout: string;
}

export function registerRunCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('run')
    .description('run a topology file (its default export) against Kafka until interrupted')
    .argument('<topology.ts>', 'TypeScript module whose default export is a Topology');
  addBootstrapOption(cmd, true);
  cmd
    .option('--application-id <id>', 'consumer group, transactional id and internal topic prefix')
    .option('--state-dir <dir>', 'directory of local state stores (default: <os tmpdir>/tributary)')
    .addOption(
      new Option('--processing-guarantee <guarantee>', 'delivery guarantee')
        .choices(['exactly_once', 'at_least_once'])
        .default('exactly_once'),
    )
    .option('--window <duration>', 'window size for topologies that take one, e.g. "1 minute"');
  addConnectTimeoutOption(cmd);
  cmd.action(async (topology: string, raw: RawRunOptions) => {
    await runTopology(parseRunOptions(topology, raw, ctx.env), ctx);
  });
}

export function parseRunOptions(topology: string, raw: RawRunOptions, env: CliContext['env']): RunCommandOptions {
  return {
    topology,
    broker: resolveBrokerTarget(raw, env, true),
    applicationId: raw.applicationId === undefined ? undefined : parseApplicationId(raw.applicationId, '--application-id'),
    stateDir: raw.stateDir,
    processingGuarantee: raw.processingGuarantee,
    windowMs: raw.window === undefined ? undefined : parseDurationFlag(raw.window, '--window', { allowZero: false }),
    connectTimeoutMs: parseDurationFlag(raw.connectTimeout, '--connect-timeout', { allowZero: false }),
  };
}

export async function runTopology(options: RunCommandOptions, _ctx: CliContext): Promise<void> {
  throw notImplemented(`run ${options.topology}`, 'The runtime is still being wired to the CLI.');
}
