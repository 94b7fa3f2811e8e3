/**
 * Where a bench case runs: `embedded` (the in-process broker: measures tributary alone) or
 * `kafkajs` (the kafkajs adapter against a real broker: the path users run). `--target both` (the
 * default) runs every case on both and prints, for each kafkajs case, its ratio to the embedded one.
 *
 * The real broker is `KAFKA_BOOTSTRAP_SERVERS` when set, else one started for the bench (as
 * bench:e2e does) and stopped at the end. Topic names and application ids of a kafkajs case get a
 * unique suffix (`name()`), so runs never see each other's data. The case's CPU time and RSS are
 * the Node process's only (the broker is a separate JVM).
 */
import type { RunningBroker } from '../scripts/kafka-broker.js';
import { loadKafkaClient } from '../lib/kafka/client-choice.js';
import type { KafkaClient } from '../lib/kafka/types.js';

export type BenchTarget = 'embedded' | 'kafkajs';

/** The targets a parent run covers, from `--target embedded|kafkajs|both` (default both). */
export function benchTargets(args: ReadonlyMap<string, string>): BenchTarget[] {
  const t = args.get('target') ?? 'both';
  if (t === 'both') return ['embedded', 'kafkajs'];
  if (t === 'embedded' || t === 'kafkajs') return [t];
  throw new Error(`--target: embedded, kafkajs or both, got ${t}`);
}

/** The target of a child case process (`--target` is one of the two there). */
export function caseTarget(args: ReadonlyMap<string, string>): BenchTarget {
  return args.get('target') === 'kafkajs' ? 'kafkajs' : 'embedded';
}

const SUFFIX = `-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** A topic name or application id for this case: unique on a real broker, unchanged in process. */
export function nameFor(target: BenchTarget, base: string): string {
  return target === 'kafkajs' ? base + SUFFIX : base;
}

/**
 * The client of a case: the embedded broker `embedded()` makes, or kafkajs on the real broker
 * (loaded only then: an in-process case never loads a Kafka client library).
 */
export async function caseClient<E extends KafkaClient>(target: BenchTarget, embedded: () => E): Promise<E | KafkaClient> {
  if (target === 'embedded') return embedded();
  const bootstrapServers = process.env['KAFKA_BOOTSTRAP_SERVERS'];
  if (bootstrapServers === undefined) throw new Error('a kafkajs case needs KAFKA_BOOTSTRAP_SERVERS (the parent run sets it)');
  return loadKafkaClient({ bootstrapServers, clientId: 'tributary-bench' });
}

/** Closes the case's client when it is the embedded broker (kafkajs clients hold no connection of their own). */
export async function closeClient(client: KafkaClient): Promise<void> {
  const c = client as { close?: () => Promise<void> };
  if (typeof c.close === 'function') await c.close();
}

/** Runs `work` with a real broker available to child processes when a kafkajs target is wanted. */
export async function withRealBroker<T>(targets: readonly BenchTarget[], work: () => Promise<T>): Promise<T> {
  let broker: RunningBroker | undefined;
  if (targets.includes('kafkajs') && process.env['KAFKA_BOOTSTRAP_SERVERS'] === undefined) {
    const { startBroker } = await import('../scripts/kafka-broker.js');
    broker = await startBroker({ jvmOptions: [], heapMb: 1024 });
    process.env['KAFKA_BOOTSTRAP_SERVERS'] = broker.bootstrapServers;
  }
  try {
    return await work();
  } finally {
    if (broker !== undefined) {
      delete process.env['KAFKA_BOOTSTRAP_SERVERS'];
      await broker.stop();
    }
  }
}

/** The line printed for a kafkajs case: its figures and the ratio to the same case in process. */
export function kafkajsLine(r: Record<string, unknown>, embedded: Record<string, unknown> | undefined): string {
  const ratio = (k: string): string => (embedded === undefined ? '?' : (Number(r[k]) / Number(embedded[k])).toFixed(2));
  return (
    `  kafkajs on a real broker: ${r['recordsPerSec']} records/s (${r['recordsPerCpuSec']} per CPU-s), peak RSS ${r['peakRssMb']} MB; ` +
    `× embedded: ${ratio('recordsPerSec')} records/s, ${ratio('recordsPerCpuSec')} per CPU-s`
  );
}
