/**
 * Which client library talks to a real cluster, and loading it on demand. Nothing here imports a
 * client library: a process on the embedded broker (the demo, the test driver) or with only local
 * Delta tables never loads kafkajs (~17 MB resident) or @platformatic/kafka (~60 MB), and a
 * process on a real cluster loads only the one it uses.
 */
import { ConfigError } from '../errors.js';
import type { KafkajsClientOptions } from './kafkajs/client.js';
import type { PlatformaticClientOptions } from './platformatic/client.js';
import type { PlatformaticConsumerTuning } from './platformatic/consumer.js';
import type { KafkaClient } from './types.js';
import { platformaticSupported, platformaticUnsupported } from './platformatic/support.js';

export { platformaticSupported, platformaticUnsupported };

/** The Kafka client libraries tributary can use. */
export type KafkaClientKind = 'kafkajs' | 'platformatic';

/** The client libraries, in the order the docs list them (the first is the default where the Node version supports it). */
export const KAFKA_CLIENT_KINDS: readonly KafkaClientKind[] = ['platformatic', 'kafkajs'];

/**
 * The client library used when none is chosen: @platformatic/kafka on the Node versions it
 * supports (every version `engines` allows), else kafkajs. Chosen by the figures in
 * docs/operations.md ("Which Kafka client").
 */
export function defaultKafkaClient(): KafkaClientKind {
  return platformaticSupported() ? 'platformatic' : 'kafkajs';
}

/** The environment variable the CLI reads to choose the client library (`kafkajs` or `platformatic`). */
export const KAFKA_CLIENT_ENV = 'TRIBUTARY_KAFKA_CLIENT';

/** The client library named by `TRIBUTARY_KAFKA_CLIENT`, if set; a `ConfigError` for an unknown name. */
export function kafkaClientFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): KafkaClientKind | undefined {
  const raw = env[KAFKA_CLIENT_ENV]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if ((KAFKA_CLIENT_KINDS as readonly string[]).includes(raw)) return raw as KafkaClientKind;
  throw new ConfigError(`${KAFKA_CLIENT_ENV}=${raw}: unknown Kafka client; use one of ${KAFKA_CLIENT_KINDS.join(', ')}`, {
    context: { key: KAFKA_CLIENT_ENV },
  });
}

export interface CreateKafkaClientOptions extends KafkajsClientOptions {
  /** Which client library talks to the cluster. Default: `defaultKafkaClient()` ('platformatic', or 'kafkajs' on a Node version it does not support). */
  readonly client?: KafkaClientKind;
  /** Tuning of the platformatic consumer (with `client: 'platformatic'`). */
  readonly platformaticConsumerTuning?: PlatformaticConsumerTuning;
}

/** The platformatic client's options out of the common ones. */
export function platformaticOptions(options: CreateKafkaClientOptions): PlatformaticClientOptions {
  return {
    bootstrapServers: options.bootstrapServers,
    ...(options.clientId !== undefined ? { clientId: options.clientId } : {}),
    ...(options.connectionTimeoutMs !== undefined ? { connectionTimeoutMs: options.connectionTimeoutMs } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.security !== undefined ? { security: options.security } : {}),
    ...(options.platformaticConsumerTuning !== undefined ? { consumerTuning: options.platformaticConsumerTuning } : {}),
  };
}

/** The kafkajs client's options out of the common ones. */
export function kafkajsOptions(options: CreateKafkaClientOptions): KafkajsClientOptions {
  const { client: _client, platformaticConsumerTuning: _tuning, ...rest } = options;
  return rest;
}

/**
 * Like `createKafkaClient`, but loads only the chosen client library, on first use. What the
 * runner and `TributaryApp` use.
 */
export async function loadKafkaClient(options: CreateKafkaClientOptions): Promise<KafkaClient> {
  if ((options.client ?? defaultKafkaClient()) === 'platformatic') {
    if (!platformaticSupported()) throw platformaticUnsupported();
    const { PlatformaticClient } = await import('./platformatic/client.js');
    return new PlatformaticClient(platformaticOptions(options));
  }
  const { KafkajsClient } = await import('./kafkajs/client.js');
  return new KafkajsClient(kafkajsOptions(options));
}
