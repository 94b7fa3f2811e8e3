/**
 * The app's view of the one configuration (`lib/runtime/config.ts`): validates it with the same
 * schema the runtime and the test driver use, checks what only the app needs (a way to reach the
 * cluster), and creates the Kafka client.
 */
import { loadKafkaClient, platformaticSupported, platformaticUnsupported } from '../kafka/client-choice.js';
import type { KafkaClient } from '../kafka/types.js';
import { validateSecurity } from '../kafka/security.js';
import { configKeyError } from '../runtime/config-errors.js';
import { normalizeConfig, type NormalizedConfig, type TributaryConfig } from '../runtime/config.js';

export { configFromProperties, type UncaughtExceptionHandler, type UncaughtExceptionResponse } from '../runtime/config.js';

/** Configuration of a `TributaryApp`: the one `TributaryConfig` (bootstrapServers or client required). */
export type TributaryAppConfig = TributaryConfig;

export interface ResolvedAppConfig {
  /** The Kafka client: the one given, else one made at the first call (loading only the chosen client library). */
  readonly client: () => Promise<KafkaClient>;
  /** The validated input, handed to the runtime (which parses it with the same schema). */
  readonly input: TributaryConfig;
  /** Every default filled in. */
  readonly config: NormalizedConfig;
}

/** Validates `input`, checks that it names a cluster, and creates the client. Throws a `ConfigError` saying what to change. */
export function resolveAppConfig(input: TributaryAppConfig): ResolvedAppConfig {
  const config = normalizeConfig(input);
  if (config.bootstrapServers === undefined && config.client === undefined) {
    throw configKeyError('bootstrapServers', 'is required: set bootstrapServers (host:port) or client (a KafkaClient)');
  }
  if (config.security !== undefined) validateSecurity(config.security);
  const given = config.client;
  if (given === undefined && config.kafkaClient === 'platformatic' && !platformaticSupported()) throw platformaticUnsupported();
  let made: Promise<KafkaClient> | undefined;
  const client = (): Promise<KafkaClient> =>
    given !== undefined
      ? Promise.resolve(given)
      : (made ??= loadKafkaClient({
          bootstrapServers: config.bootstrapServers!,
          client: config.kafkaClient,
          ...(input.clientId !== undefined ? { clientId: input.clientId } : {}),
          ...(config.security !== undefined ? { security: config.security } : {}),
        }));
  return { client, input, config };
}
