/**
 * `createKafkaClient`: a `KafkaClient` for a real cluster through the chosen client library —
 * kafkajs (the default) or @platformatic/kafka (`client: 'platformatic'`, Node >= 22.22).
 */
import { KafkajsClient, type KafkajsClientOptions } from './kafkajs/index.js';
import { PlatformaticClient, type PlatformaticConsumerTuning } from './platformatic/index.js';
import { ConfigError } from '../errors.js';
import type { KafkaClient } from './types.js';

/** The Kafka client libraries tributary can use. */
export type KafkaClientKind = 'kafkajs' | 'platformatic';

/** The client libraries, in the order the docs list them (the first is the default). */
export const KAFKA_CLIENT_KINDS: readonly KafkaClientKind[] = ['kafkajs', 'platformatic'];

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
  /** Which client library talks to the cluster. Default 'kafkajs'. */
  readonly client?: KafkaClientKind;
  /** Tuning of the platformatic consumer (with `client: 'platformatic'`). */
  readonly platformaticConsumerTuning?: PlatformaticConsumerTuning;
}

/** A `KafkaClient` for a real cluster: kafkajs by default, or @platformatic/kafka with `client: 'platformatic'`. */
export function createKafkaClient(options: CreateKafkaClientOptions): KafkaClient {
  const { client = 'kafkajs', platformaticConsumerTuning, ...rest } = options;
  if (client === 'platformatic') {
    return new PlatformaticClient({
      bootstrapServers: rest.bootstrapServers,
      ...(rest.clientId !== undefined ? { clientId: rest.clientId } : {}),
      ...(rest.connectionTimeoutMs !== undefined ? { connectionTimeoutMs: rest.connectionTimeoutMs } : {}),
      ...(rest.requestTimeoutMs !== undefined ? { requestTimeoutMs: rest.requestTimeoutMs } : {}),
      ...(rest.security !== undefined ? { security: rest.security } : {}),
      ...(platformaticConsumerTuning !== undefined ? { consumerTuning: platformaticConsumerTuning } : {}),
    });
  }
  return new KafkajsClient(rest);
}
