/**
 * SIGINT/SIGTERM handling for an application that owns its process (the CLI, the chaos runner):
 * the first signal starts a graceful close — finish the in-flight batch, commit, write
 * checkpoints, leave the group — and a second one forces the process out at once with the
 * conventional 128 + signal number.
 */
const CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

export function installSignalHandlers(onFirst: (signal: NodeJS.Signals) => Promise<unknown>, log: (message: string) => void): () => void {
  let received = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (received) {
      log(`${signal} again: exiting without a clean shutdown`);
      process.exit(CODES[signal] ?? 1);
    }
    received = true;
    log(`${signal}: closing gracefully (send it again to exit at once)`);
    void onFirst(signal).catch((error: unknown) => log(`graceful close failed: ${error instanceof Error ? error.message : String(error)}`));
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
