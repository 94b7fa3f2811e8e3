/**
 * What a command may touch of the outside world: output streams, environment, terminal flags and
 * an abort signal (Ctrl-C). `runCli` builds the real one; tests pass their own to capture output.
 */
export interface CliContext {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout / stderr are terminals (progress lines, human summaries, prompts). */
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** Asks a yes/no question on the terminal; undefined when stdin is not interactive. */
  readonly confirm: ((question: string) => Promise<boolean>) | undefined;
  /** Aborted when the user interrupts (SIGINT/SIGTERM): long-running commands stop gracefully. */
  readonly signal: AbortSignal;
  /** The command line being run (without `tributary`); set by `runCli`. */
  readonly argv?: readonly string[];
}

export function processContext(signal: AbortSignal): CliContext {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    confirm: process.stdin.isTTY === true ? askOnTerminal : undefined,
    signal,
  };
}

async function askOnTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
