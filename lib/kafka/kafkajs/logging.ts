/**
 * Routes kafkajs' own log lines to a tributary logger. Quiet by default: without a sink, nothing is
 * printed unless the environment variable `TRIBUTARY_KAFKA_LOG` names a level (error, warn, info,
 * debug), in which case lines at or above it go to stderr.
 */
import './aborted-filter.js';
import { logLevel as KafkajsLevel, type logCreator } from 'kafkajs';

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface KafkaLogEntry {
  readonly level: Exclude<KafkaLogLevel, 'nothing'>;
  readonly namespace: string;
  readonly message: string;
  readonly extra: Readonly<Record<string, unknown>>;
}

export type KafkaLogSink = (entry: KafkaLogEntry) => void;

const TO_KAFKAJS: Record<KafkaLogLevel, KafkajsLevel> = {
  nothing: KafkajsLevel.NOTHING,
  error: KafkajsLevel.ERROR,
  warn: KafkajsLevel.WARN,
  info: KafkajsLevel.INFO,
  debug: KafkajsLevel.DEBUG,
};

const FROM_KAFKAJS: Partial<Record<number, KafkaLogEntry['level']>> = {
  [KafkajsLevel.ERROR]: 'error',
  [KafkajsLevel.WARN]: 'warn',
  [KafkajsLevel.INFO]: 'info',
  [KafkajsLevel.DEBUG]: 'debug',
};

function stderrSink(entry: KafkaLogEntry): void {
  process.stderr.write(`[kafkajs ${entry.level}] ${entry.namespace}: ${entry.message}\n`);
}

/** kafkajs `logLevel` and `logCreator` for the given sink and level. */
export function kafkajsLogging(
  sink: KafkaLogSink | undefined,
  level: KafkaLogLevel | undefined,
): {
  logLevel: KafkajsLevel;
  logCreator: logCreator;
} {
  const envLevel = process.env['TRIBUTARY_KAFKA_LOG'] as KafkaLogLevel | undefined;
  const effectiveSink = sink ?? (envLevel && envLevel in TO_KAFKAJS ? stderrSink : undefined);
  const effectiveLevel: KafkaLogLevel = effectiveSink ? (level ?? (sink ? 'warn' : envLevel) ?? 'warn') : 'nothing';
  const creator: logCreator =
    () =>
    ({ namespace, level: lvl, log }) => {
      const mapped = FROM_KAFKAJS[lvl];
      if (!effectiveSink || !mapped) return;
      const { message, timestamp: _ts, logger: _l, ...extra } = log as { message: string; [k: string]: unknown };
      effectiveSink({ level: mapped, namespace, message, extra });
    };
  return { logLevel: TO_KAFKAJS[effectiveLevel], logCreator: creator };
}
