/**
 * Progress reporting of running applications. On a terminal: one line rewritten in place
 * (`\r`), e.g.
 *
 *   transactions-bronze running · in 12,400/s · processed 12,398/s · commit 4.1 ms (max 9.0) ·
 *   lag 1,203 · watermark 2025-01-15T12:41:07Z · late 31 · dlq 12
 *
 * Otherwise: one JSON object per line (`"event":"progress"`), for log collectors.
 */
import type { AppStats } from './app-runner.js';

export interface ProgressSample {
  readonly stats: AppStats;
  /** Consumer lag over the application's input topics; undefined when not known yet. */
  readonly lag: number | undefined;
  /** Grace of the watermark shown (event time − grace); 0 shows the event time itself. */
  readonly graceMs: number;
}

export interface Rates {
  readonly inputPerSec: number;
  readonly processedPerSec: number;
}

/** Per-second rates between two samples of the same application. */
export function rates(previous: AppStats | undefined, current: AppStats, elapsedMs: number): Rates {
  if (previous === undefined || elapsedMs <= 0) return { inputPerSec: 0, processedPerSec: 0 };
  return {
    inputPerSec: ((current.recordsIn - previous.recordsIn) * 1000) / elapsedMs,
    processedPerSec: ((current.processed - previous.processed) * 1000) / elapsedMs,
  };
}

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return int.format(n);
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** The watermark reported for an application: its lowest task event time minus the grace. */
export function watermarkOf(sample: ProgressSample): number | undefined {
  return sample.stats.eventTimeMs === undefined ? undefined : sample.stats.eventTimeMs - sample.graceMs;
}

/** One human line (no newline). */
export function progressLine(sample: ProgressSample, r: Rates): string {
  const s = sample.stats;
  const parts = [
    `${s.applicationId} ${s.state}`,
    `in ${formatCount(r.inputPerSec)}/s`,
    `processed ${formatCount(r.processedPerSec)}/s`,
    s.commitLatencyMs ? `commit ${s.commitLatencyMs.mean.toFixed(1)} ms (max ${s.commitLatencyMs.max.toFixed(1)})` : 'commit –',
    `lag ${sample.lag === undefined ? '?' : formatCount(sample.lag)}`,
    `watermark ${iso(watermarkOf(sample)) ?? '–'}`,
    `late ${formatCount(s.dropped)}`,
    `dlq ${formatCount(s.deadLettered)}`,
  ];
  return parts.join(' · ');
}

/** One structured log object. */
export function progressRecord(sample: ProgressSample, r: Rates, nowMs: number): Record<string, unknown> {
  const s = sample.stats;
  return {
    time: new Date(nowMs).toISOString(),
    event: 'progress',
    applicationId: s.applicationId,
    state: s.state,
    tasks: s.tasks,
    recordsIn: s.recordsIn,
    processed: s.processed,
    recordsOut: s.recordsOut,
    inputPerSec: Math.round(r.inputPerSec),
    processedPerSec: Math.round(r.processedPerSec),
    commits: s.commits,
    commitLatencyMs: s.commitLatencyMs ? { mean: round1(s.commitLatencyMs.mean), max: round1(s.commitLatencyMs.max) } : null,
    lag: sample.lag ?? null,
    eventTime: iso(s.eventTimeMs),
    watermark: iso(watermarkOf(sample)),
    late: s.dropped,
    deadLettered: s.deadLettered,
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Rewrites the current terminal line: carriage return, text cut to the width, clear to end. */
export function terminalLine(text: string, columns: number | undefined): string {
  const width = columns && columns > 20 ? columns - 1 : 160;
  return `\r${text.length > width ? `${text.slice(0, width - 1)}…` : text}\x1b[K`;
}
