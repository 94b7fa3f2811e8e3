/**
 * The `tributary` command line. `bin/tributary.js` loads this file through tsx, so TypeScript
 * topology files run without a build step; `tsx lib/cli/main.ts <args>` works too.
 *
 * Exit codes: 0 success · 1 runtime failure (e.g. broker unreachable, not implemented) ·
 * 2 usage or configuration error (unknown flag, bad value) · 130 interrupted twice.
 * Each command lives in `commands/<name>.ts`; shared flag parsing in `options.ts`.
 */
import { readFileSync } from 'node:fs';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError, TributaryError } from '../errors.js';
import { registerDeltaCommand } from './commands/delta.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDescribeCommand } from './commands/describe.js';
import { registerProduceCommand } from './commands/produce.js';
import { registerResetCommand, ResetDeclined } from './commands/reset.js';
import { registerRunCommand } from './commands/run.js';
import { processContext, type CliContext } from './context.js';
import { PROCESS_INDEX_ENV } from './run/supervisor.js';
import { applyRunnerHeapSettings } from './heap-settings.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** Builds the command tree. A fresh tree per call: commander keeps parse state on it. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('tributary');
  program
    .description('Stream processing on Apache Kafka: run topologies, produce test data, reset applications, maintain Delta tables.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .configureOutput({
      writeOut: (s) => ctx.stdout(s),
      writeErr: (s) => ctx.stderr(s),
      outputError: (s, write) => write(s),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(false);
  registerRunCommand(program, ctx);
  registerDescribeCommand(program, ctx);
  registerProduceCommand(program, ctx);
  registerResetCommand(program, ctx);
  registerDeltaCommand(program, ctx);
  registerDemoCommand(program, ctx);
  return program;
}

/** Runs one command line (without the `node script` prefix) and returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = buildProgram({ ...ctx, argv });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    return reportError(err, ctx);
  }
}

function reportError(err: unknown, ctx: CliContext): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (or the help / version text).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return EXIT_OK;
    }
    // `tributary` or `tributary produce` without a subcommand: help went to stderr.
    if (err.code === 'commander.executeSubCommandAsync' || err.exitCode === 0) return EXIT_OK;
    return EXIT_USAGE;
  }
  if (err instanceof ResetDeclined) {
    ctx.stderr(`${err.message}\n`);
    return EXIT_FAILURE;
  }
  // Configuration errors exit 2, whether raised as a ConfigError or as a TributaryError with code CONFIG (e.g. a topology file that throws on import).
  if (err instanceof ConfigError || (err instanceof TributaryError && err.code === 'CONFIG')) {
    ctx.stderr(`error: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof TributaryError) {
    ctx.stderr(`error: ${err.message}\n`);
    if (ctx.env['TRIBUTARY_DEBUG'] && err.stack) ctx.stderr(`${err.stack}\n`);
    return EXIT_FAILURE;
  }
  ctx.stderr(`error: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT_FAILURE;
}

/**
 * Process entry: wires Ctrl-C to a graceful stop (first signal aborts the running command, a
 * second one exits with 130), runs the command line and exits with its code.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  try {
    applyRunnerHeapSettings();
  } catch (err) {
    process.stderr.write(`tributary: ${(err as Error).message}\n`);
    process.exit(EXIT_USAGE);
  }
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (process.env[PROCESS_INDEX_ENV]) {
    // A child of `tributary run --processes`: its supervisor holds our stdin; when the supervisor
    // dies the pipe closes and we stop cleanly instead of running on unsupervised.
    process.stdin
      .on('end', () => controller.abort())
      .on('error', () => controller.abort())
      .resume();
  }
  const code = await runCli(argv, processContext(controller.signal));
  process.exit(code);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) void main();
