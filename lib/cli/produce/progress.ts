/**
 * How `produce transactions` reports: a single self-overwriting progress line on a terminal, and a
 * final summary — a readable line on a terminal, one JSON object per line otherwise (for scripts).
 */
import type { ProduceStats, ProduceSummary } from './producer.js';

const fmt = new Intl.NumberFormat('en-US');

export function formatProgress(stats: ProduceStats): string {
  return (
    `sent ${fmt.format(stats.sent)}  ${fmt.format(stats.eventsPerSec)} events/s  ` +
    `late ${fmt.format(stats.late)}  malformed ${fmt.format(stats.malformed)}  ${(stats.elapsedMs / 1000).toFixed(1)} s`
  );
}

/** Progress line for a terminal: carriage return, line, clear to end of line. */
export function progressLine(stats: ProduceStats): string {
  return `\r${formatProgress(stats)}\x1b[K`;
}

export function formatSummary(summary: ProduceSummary, tty: boolean): string {
  if (!tty) return `${JSON.stringify({ command: 'produce transactions', ...summary })}\n`;
  const kinds = Object.entries(summary.malformedByKind)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${fmt.format(n)}`)
    .join(', ');
  return (
    `Produced ${fmt.format(summary.sent)} transactions to ${summary.topic} (${summary.partitions} partitions` +
    `${summary.topicCreated ? ', created' : ''}) in ${(summary.elapsedMs / 1000).toFixed(1)} s — ` +
    `${fmt.format(summary.eventsPerSec)} events/s; on time ${fmt.format(summary.onTime)}, late ${fmt.format(summary.late)}, ` +
    `malformed ${fmt.format(summary.malformed)}${kinds ? ` (${kinds})` : ''}. ` +
    `Seed ${summary.seed}, start ${summary.startTime}${summary.stoppedBy === 'signal' ? '; stopped by interrupt' : ''}.\n`
  );
}
