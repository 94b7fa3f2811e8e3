/**
 * `Suppressed`: what `KTable.suppress` holds back.
 *
 * - `untilWindowCloses(BufferConfig.unbounded())`: final results of a windowed aggregation — each
 *   window is emitted once, when `windowEnd + grace <= streamTime` (grace of the windowed
 *   aggregation right upstream). Requires a strict buffer (unbounded or `shutDownWhenFull`).
 * - `untilTimeLimit(d, bufferConfig)`: rate limiting — a key is emitted once
 *   `bufferTime <= streamTime - d`, where bufferTime is the timestamp of the update that first
 *   put it in the buffer (later updates replace the value but do not reset the time).
 *
 * `BufferConfig` bounds the buffer by records and/or bytes: `emitEarlyWhenFull()` emits the
 * oldest entries to make room; `shutDownWhenFull()` fails the task instead (no early results).
 */
import { ConfigError } from '../../errors.js';
import { type DurationInput, windowDuration } from '../windows/durations.js';

/** Bounds of a suppression buffer (records, bytes) and what to do when it is full: emit early or shut down. */
export class BufferConfig {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    readonly whenFull: 'emit-early' | 'shut-down',
  ) {}

  /** No bound (strict): memory grows with the number of open windows/keys. */
  static unbounded(): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 'shut-down');
  }

  /** At most `n` entries; emits early when full unless `shutDownWhenFull()`. */
  static maxRecords(n: number): BufferConfig {
    return new BufferConfig(checkBound(n, 'BufferConfig.maxRecords(n)'), Number.POSITIVE_INFINITY, 'emit-early');
  }

  /** At most `n` bytes of serialized keys and values; emits early when full unless `shutDownWhenFull()`. */
  static maxBytes(n: number): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, checkBound(n, 'BufferConfig.maxBytes(n)'), 'emit-early');
  }

  withMaxRecords(n: number): BufferConfig {
    return new BufferConfig(checkBound(n, 'BufferConfig.withMaxRecords(n)'), this.maxBytes, this.whenFull);
  }

  withMaxBytes(n: number): BufferConfig {
    return new BufferConfig(this.maxRecords, checkBound(n, 'BufferConfig.withMaxBytes(n)'), this.whenFull);
  }

  withNoBound(): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, this.whenFull);
  }

  /** When full, emit the entries with the oldest buffer time early (results may not be final). */
  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emit-early');
  }

  /** When full, fail the task: results stay final, the application stops. */
  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shut-down');
  }

  get bounded(): boolean {
    return Number.isFinite(this.maxRecords) || Number.isFinite(this.maxBytes);
  }
}

function checkBound(n: number, parameter: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new ConfigError(`${parameter} must be a positive integer, got ${String(n)}`);
  return n;
}

export type SuppressionKind = 'window-close' | 'time-limit';

/** Holds back updates of a table: `untilWindowCloses` emits one final result per window, `untilTimeLimit` at most one update per key per interval. */
export class Suppressed {
  private constructor(
    readonly kind: SuppressionKind,
    readonly timeLimitMs: number,
    readonly bufferConfig: BufferConfig,
    readonly name: string | undefined,
    /** null = changelog disabled; else topic config overrides. */
    readonly logging: Readonly<Record<string, string>> | null,
  ) {}

  /** Final results: each window once, when `windowEnd + grace <= streamTime`. The buffer must be strict. */
  static untilWindowCloses(bufferConfig: BufferConfig): Suppressed {
    if (!(bufferConfig instanceof BufferConfig))
      throw new ConfigError('Suppressed.untilWindowCloses(bufferConfig): pass BufferConfig.unbounded() or a bounded config with shutDownWhenFull()');
    if (bufferConfig.whenFull === 'emit-early' && bufferConfig.bounded) {
      throw new ConfigError(
        'Suppressed.untilWindowCloses(bufferConfig) needs a strict buffer: BufferConfig.unbounded() or .shutDownWhenFull(); emitting early would break "final results"',
      );
    }
    return new Suppressed('window-close', 0, bufferConfig, undefined, {});
  }

  /** Emits a key once `timeToWaitForMoreEvents` of stream time passed since it was first buffered. */
  static untilTimeLimit(timeToWaitForMoreEvents: DurationInput, bufferConfig: BufferConfig): Suppressed {
    const ms = windowDuration(timeToWaitForMoreEvents, 'Suppressed.untilTimeLimit(timeToWaitForMoreEvents)');
    if (!(bufferConfig instanceof BufferConfig)) throw new ConfigError('Suppressed.untilTimeLimit(bufferConfig) must be a BufferConfig');
    return new Suppressed('time-limit', ms, bufferConfig, undefined, {});
  }

  /** Names the processor and the buffer store (`<name>-store`, changelog `<app>-<name>-store-changelog`). */
  withName(name: string): Suppressed {
    if (!name) throw new ConfigError('Suppressed.withName(name): name must not be empty');
    return new Suppressed(this.kind, this.timeLimitMs, this.bufferConfig, name, this.logging);
  }

  withLoggingDisabled(): Suppressed {
    return new Suppressed(this.kind, this.timeLimitMs, this.bufferConfig, this.name, null);
  }

  withLoggingEnabled(configs: Readonly<Record<string, string>> = {}): Suppressed {
    return new Suppressed(this.kind, this.timeLimitMs, this.bufferConfig, this.name, { ...configs });
  }
}
