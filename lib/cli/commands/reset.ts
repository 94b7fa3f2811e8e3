/**
 * `tributary reset <application-id>`: makes an application start over from its input topics.
 * Deletes its consumer group (committed offsets), its internal changelog and repartition topics,
 * its dead-letter topic and its local state directory. Prints the plan first and asks for
 * confirmation unless `--yes`; refuses to run unattended without `--yes`. The application must be
 * stopped (a group with live members cannot be deleted).
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, TributaryError } from '../../errors.js';
import { normalizeConfig } from '../../runtime/config.js';
import { DEFAULT_STATE_DIR_TEXT } from '../../util/state-dir.js';
import { connectKafka } from '../connect.js';
import type { CliContext } from '../context.js';
import { displayPath, parseApplicationId, parseDurationFlag, resolveBrokerTarget } from '../options.js';
import { planReset } from '../reset/plan.js';
import type { KafkaSecurity } from '../../kafka/security.js';
import { bootstrapWithFallback, readClientConfig } from '../client-config.js';
import { addBootstrapOption, addClientConfigOption, addConnectTimeoutOption } from './shared.js';

export interface ResetOptions {
  readonly applicationId: string;
  readonly servers: readonly string[];
  /** From `--client-config`; undefined: PLAINTEXT. */
  readonly security?: KafkaSecurity | undefined;
  /** Base state directory; the application's is `<stateDir>/<applicationId>`. */
  readonly stateDir: string;
  readonly deadLetterTopic: string;
  /** Application ids whose topics must be kept even though they start with `<applicationId>-`. */
  readonly keepApplications: readonly string[];
  readonly yes: boolean;
  readonly dryRun: boolean;
  readonly connectTimeoutMs: number;
}

export interface ResetResult {
  readonly deletedTopics: readonly string[];
  readonly deletedGroup: boolean;
  readonly deletedStateDir: string | undefined;
  readonly confirmed: boolean;
}

interface RawResetOptions {
  bootstrapServers?: string;
  clientConfig?: string;
  stateDir?: string;
  deadLetterTopic?: string;
  keepApplication: string[];
  yes?: boolean;
  dryRun?: boolean;
  connectTimeout: string;
}

export function registerResetCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('reset')
    .description("delete an application's committed offsets, internal topics, dead-letter topic and local state")
    .argument('<application-id>', 'the application to reset (must be stopped)');
  addBootstrapOption(cmd, false);
  addClientConfigOption(cmd);
  cmd
    .option('--state-dir <dir>', `base state directory the application used (default: ${DEFAULT_STATE_DIR_TEXT})`)
    .option('--dead-letter-topic <topic>', "the application's dead-letter topic (default: <application-id>-dlq)")
    .option(
      '--keep-application <id>',
      'another application whose id starts with this one; its topics are kept (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--dry-run', 'print what would be deleted and stop');
  addConnectTimeoutOption(cmd);
  cmd.action(async (applicationId: string, raw: RawResetOptions) => {
    const client = readClientConfig(raw.clientConfig, ctx.env);
    const bootstrapServers = bootstrapWithFallback(raw.bootstrapServers, ctx.env, client);
    const target = resolveBrokerTarget({ ...raw, ...(bootstrapServers !== undefined ? { bootstrapServers } : {}) }, ctx.env, false);
    if (target.kind !== 'servers') throw new ConfigError('reset needs a real broker');
    const appId = parseApplicationId(applicationId);
    const defaults = normalizeConfig({
      applicationId: appId,
      ...(raw.stateDir === undefined ? {} : { stateDir: raw.stateDir }),
      ...(raw.deadLetterTopic === undefined ? {} : { deadLetterTopic: raw.deadLetterTopic }),
    });
    const result = await resetApplication(
      {
        applicationId: appId,
        servers: target.servers,
        security: client?.security,
        stateDir: defaults.stateDir,
        deadLetterTopic: defaults.deadLetterTopic,
        keepApplications: raw.keepApplication.map((k) => parseApplicationId(k, '--keep-application')),
        yes: raw.yes === true,
        dryRun: raw.dryRun === true,
        connectTimeoutMs: parseDurationFlag(raw.connectTimeout, '--connect-timeout', { allowZero: false }),
      },
      ctx,
    );
    if (!result.confirmed) throw new ResetDeclined();
  });
}

/** The user answered no: nothing was deleted (exit code 1, no error trace). */
export class ResetDeclined extends TributaryError {
  constructor() {
    super('Reset cancelled: nothing was deleted.', { code: 'CONFIG' });
  }
}

export async function resetApplication(options: ResetOptions, ctx: CliContext): Promise<ResetResult> {
  const { admin } = await connectKafka(options.servers, {
    clientId: `tributary-reset-${options.applicationId}`,
    timeoutMs: options.connectTimeoutMs,
    signal: ctx.signal,
    ...(options.security ? { security: options.security } : {}),
  });
  try {
    const allTopics = await admin.listTopics();
    const plan = planReset(options.applicationId, allTopics, {
      deadLetterTopic: options.deadLetterTopic,
      otherApplicationIds: options.keepApplications,
    });
    const userTopics = allTopics.filter((t) => !t.startsWith('__'));
    const committed = userTopics.length ? await admin.fetchCommittedOffsets(options.applicationId, userTopics) : [];
    const stateDir = resolve(join(options.stateDir, options.applicationId));
    const hasStateDir = existsSync(stateDir);

    const out = ctx.stdout;
    out(`Reset of application '${options.applicationId}' (brokers ${options.servers.join(',')}):\n`);
    for (const topic of plan.topics) out(`  delete topic        ${topic}\n`);
    const groupTopics = [...new Set(committed.map((c) => c.topic))].sort();
    if (committed.length > 0) {
      out(`  delete group        ${options.applicationId} (committed offsets on ${committed.length} partition(s) of ${groupTopics.join(', ')})\n`);
    } else {
      out(`  delete group        ${options.applicationId} (no committed offsets; deleted if it exists)\n`);
    }
    if (hasStateDir) out(`  delete state dir    ${displayPath(stateDir)}\n`);
    for (const s of plan.skipped) out(`  keep topic          ${s.topic} (${s.reason})\n`);
    if (plan.topics.length === 0 && committed.length === 0 && !hasStateDir) out('  (no topics, offsets or local state found)\n');

    if (options.dryRun) {
      out('Dry run: nothing deleted.\n');
      return { deletedTopics: [], deletedGroup: false, deletedStateDir: undefined, confirmed: true };
    }
    if (!options.yes) {
      if (!ctx.confirm) {
        throw new ConfigError('Refusing to reset without confirmation: stdin is not a terminal. Pass --yes to confirm.');
      }
      if (!(await ctx.confirm(`Delete the above for '${options.applicationId}'?`))) {
        return { deletedTopics: [], deletedGroup: false, deletedStateDir: undefined, confirmed: false };
      }
    }

    // The group first: if the application is still running this fails before any topic is gone.
    try {
      await admin.deleteGroups([options.applicationId]);
    } catch (err) {
      throw new TributaryError(
        `Cannot delete consumer group '${options.applicationId}': ${(err as Error).message}. Stop every instance of the application, then retry.`,
        { code: 'KAFKA', cause: err, context: { groupId: options.applicationId } },
      );
    }
    if (plan.topics.length) await admin.deleteTopics(plan.topics);
    if (hasStateDir) await rm(stateDir, { recursive: true, force: true });
    out(`Deleted ${plan.topics.length} topic(s), the consumer group${hasStateDir ? ' and the local state' : ''} of '${options.applicationId}'.\n`);
    return { deletedTopics: plan.topics, deletedGroup: true, deletedStateDir: hasStateDir ? stateDir : undefined, confirmed: true };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
