/**
 * `tributary run --processes N`: N runner processes of one application on one machine, each a
 * member of the application's consumer group (so Kafka spreads the tasks over them, as over
 * runners on several machines), supervised by this process.
 *
 *   spawn N children (bin/tributary.js run … --processes 1, TRIBUTARY_PROCESS_INDEX=i)
 *     child exits ≠ 0 ─▶ "restarting" ─▶ backoff (1 s, doubling to 30 s; reset after 60 s up) ─▶ spawn again
 *     child exits 2 (bad configuration) ─▶ stop every child ─▶ exit 2
 *   every interval: one progress line summing the children's last reports
 *   Ctrl-C / SIGTERM ─▶ SIGTERM to each child ─▶ wait for their clean close ─▶ "stopped" ─▶ exit 0 (1 if a child failed)
 *
 * Children run in their own process group, so a terminal's Ctrl-C reaches only this process, which
 * forwards one SIGTERM (a second Ctrl-C here exits at once and SIGKILLs the children). A child
 * whose supervisor dies sees its stdin close and stops cleanly. Child i keeps its stores in
 * `<state-dir>/process-<i>` and serves metrics on `--metrics-port` + i.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, TributaryError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { CombinedProgress, type ChildReport } from './combined-progress.js';
import type { RunReporter } from './run-loop.js';

/** Set in a supervised child's environment: its index (0 … N−1). */
export const PROCESS_INDEX_ENV = 'TRIBUTARY_PROCESS_INDEX';

const BIN = fileURLToPath(new URL('../../../bin/tributary.js', import.meta.url));
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;
const EXIT_USAGE = 2;

export interface SupervisorOptions {
  readonly processes: number;
  /** The `run` command line as the user gave it (without `tributary`). */
  readonly argv: readonly string[];
  readonly applicationId: string;
  readonly progressIntervalMs: number;
}

interface Slot {
  readonly index: number;
  child: ChildProcess | undefined;
  startedAt: number;
  backoffMs: number;
  restarts: number;
  /** Whether it ever reported `running`: a child that fails before that on its first start stops the run. */
  ranOnce: boolean;
  timer: NodeJS.Timeout | undefined;
  lastStderr: string;
}

/** Runs and supervises the children until Ctrl-C (resolves) or a configuration error / failed close (throws). */
export async function superviseProcesses(options: SupervisorOptions, ctx: CliContext, out: RunReporter): Promise<void> {
  const progress = new CombinedProgress(options.applicationId, options.processes);
  const slots: Slot[] = Array.from({ length: options.processes }, (_, index) => ({
    index,
    child: undefined,
    startedAt: 0,
    backoffMs: BACKOFF_FIRST_MS,
    restarts: 0,
    ranOnce: false,
    timer: undefined,
    lastStderr: '',
  }));
  let stopping = false;
  let fatal: { code: number; message: string } | undefined;
  let failedExits = 0;
  let wake: () => void = () => undefined;
  const killAll = () => {
    for (const s of slots) if (s.child?.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  };
  process.on('exit', killAll); // a second Ctrl-C exits at once: take the children along

  const childArgs = [...options.argv, '--processes', '1', '--progress-interval', `${options.progressIntervalMs}ms`];
  const start = (slot: Slot) => {
    slot.timer = undefined;
    if (stopping) return;
    const child = spawn(process.execPath, [BIN, ...childArgs], {
      env: { ...ctx.env, [PROCESS_INDEX_ENV]: String(slot.index) },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    slot.child = child;
    slot.startedAt = Date.now();
    out.event(
      'process-started',
      { applicationId: options.applicationId, process: slot.index, pid: child.pid, restarts: slot.restarts },
      `[process ${slot.index}] started (pid ${child.pid})`,
    );
    lines(child.stdout!, (line) => onChildLine(slot, line));
    lines(child.stderr!, (line) => {
      slot.lastStderr = line;
      ctx.stderr(`[process ${slot.index}] ${line}\n`);
    });
    child.on('close', (code, signal) => onExit(slot, child, code, signal));
  };

  const onChildLine = (slot: Slot, line: string) => {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      ctx.stdout(`[process ${slot.index}] ${line}\n`);
      return;
    }
    if (record['event'] === 'progress') {
      progress.report(slot.index, record as unknown as ChildReport);
      return;
    }
    if (record['event'] === 'running') slot.ranOnce = true;
    if (record['event'] === 'stopped') progress.stopped(slot.index, record as unknown as ChildReport);
    const { time: _time, event, ...fields } = record;
    out.event(String(event), { ...fields, process: slot.index }, `[process ${slot.index}] ${humanText(String(event), fields)}`);
  };

  const onExit = (slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null) => {
    if (slot.child !== child) return;
    slot.child = undefined;
    progress.exited(slot.index);
    const ranMs = Date.now() - slot.startedAt;
    if (stopping) {
      if (code !== 0) failedExits++;
      out.event(
        'process-exited',
        { applicationId: options.applicationId, process: slot.index, code, signal },
        `[process ${slot.index}] exited (${signal ?? `code ${code}`})`,
      );
    } else if (code === EXIT_USAGE || (!slot.ranOnce && slot.restarts === 0 && code !== 0)) {
      // Bad configuration, or a failure before the first start completed: restarting would repeat it.
      fatal = {
        code: code ?? 1,
        message: slot.lastStderr.replace(/^error: /, '') || `process ${slot.index} failed while starting (${signal ?? `code ${code}`})`,
      };
      stopping = true;
    } else if (code === 0 && signal === null) {
      out.event('process-exited', { applicationId: options.applicationId, process: slot.index, code, signal }, `[process ${slot.index}] stopped on its own`);
    } else {
      if (ranMs >= HEALTHY_AFTER_MS) slot.backoffMs = BACKOFF_FIRST_MS;
      const delay = slot.backoffMs;
      slot.backoffMs = Math.min(slot.backoffMs * 2, BACKOFF_MAX_MS);
      slot.restarts++;
      progress.restarted();
      out.event(
        'restarting',
        { applicationId: options.applicationId, process: slot.index, code, signal, inMs: delay, restarts: slot.restarts },
        `[process ${slot.index}] crashed (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s`,
      );
      slot.timer = setTimeout(() => start(slot), delay);
    }
    wake();
  };

  for (const slot of slots) start(slot);
  const aborted = new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    while (!ctx.signal.aborted && !stopping && slots.some((s) => s.child !== undefined || s.timer !== undefined)) {
      await Promise.race([
        aborted,
        new Promise<void>((r) => {
          wake = r;
          setTimeout(r, options.progressIntervalMs).unref();
        }),
      ]);
      if (ctx.signal.aborted || stopping) break;
      const sample = progress.sample(performance.now());
      out.progress(sample.line, sample.record);
    }
    out.endLine();
    stopping = true;
    out.event('stopping', { applicationId: options.applicationId }, 'Stopping: every process commits and closes its tasks (Ctrl-C again to force)…');
    for (const s of slots) {
      if (s.timer) clearTimeout(s.timer);
      s.timer = undefined;
      s.child?.kill('SIGTERM');
    }
    await Promise.all(slots.map((s) => (s.child ? new Promise<void>((r) => s.child!.once('close', () => r())) : Promise.resolve())));
  } finally {
    process.off('exit', killAll);
    killAll();
  }
  if (fatal !== undefined) {
    if (fatal.code === EXIT_USAGE) throw new ConfigError(fatal.message);
    throw new TributaryError(fatal.message, { code: 'PROCESSING' });
  }
  const total = progress.totals();
  if (failedExits > 0) {
    throw new TributaryError(`${options.applicationId}: ${failedExits} of ${options.processes} processes did not close cleanly`, { code: 'PROCESSING' });
  }
  out.event(
    'stopped',
    {
      applicationId: options.applicationId,
      processes: options.processes,
      restarts: total.restarts,
      recordsIn: total.recordsIn,
      processed: total.processed,
      recordsOut: total.recordsOut,
      late: total.late,
      deadLettered: total.deadLettered,
    },
    `Stopped ${options.applicationId} (${options.processes} processes, ${total.restarts} restarts): ${total.recordsIn} in, ${total.recordsOut} out, ${total.late} late, ${total.deadLettered} dead-lettered.`,
  );
}

function humanText(event: string, fields: Record<string, unknown>): string {
  if (event === 'log') return `${String(fields['level'])}: ${String(fields['message'])}`;
  return event;
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).replace(/\r$/, '');
      buffered = buffered.slice(nl + 1);
      if (line !== '') onLine(line);
    }
  });
  stream.on('end', () => {
    if (buffered !== '') onLine(buffered);
  });
}
