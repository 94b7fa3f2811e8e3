import type { CliContext } from '../../../lib/cli/context.js';

/** A CLI context that records output, for running commands in process. */
export function captureContext(overrides: Partial<Omit<CliContext, 'stdout' | 'stderr'>> = {}): CliContext & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    env: {},
    stdoutIsTTY: false,
    stderrIsTTY: false,
    confirm: undefined,
    signal: new AbortController().signal,
    ...overrides,
    out: () => out,
    err: () => err,
  };
}
