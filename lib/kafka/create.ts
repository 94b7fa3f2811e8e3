/**
 * `createKafkaClient`: a `KafkaClient` for a real cluster through the chosen client library —
 * @platformatic/kafka (the default, Node >= 22.22 or >= 24.6) or kafkajs (`client: 'kafkajs'`; the default on older Node). Both
 * libraries are imported here; `loadKafkaClient` (client-choice.ts) loads only the chosen one.
 */
import { KafkajsClient } from './kafkajs/index.js';
import { PlatformaticClient } from './platformatic/index.js';
import { defaultKafkaClient, kafkajsOptions, platformaticOptions, type CreateKafkaClientOptions } from './client-choice.js';
import type { KafkaClient } from './types.js';

/** A `KafkaClient` for a real cluster: @platformatic/kafka by default (see `defaultKafkaClient`), or kafkajs with `client: 'kafkajs'`. */
export function createKafkaClient(options: CreateKafkaClientOptions): KafkaClient {
  if ((options.client ?? defaultKafkaClient()) === 'platformatic') return new PlatformaticClient(platformaticOptions(options));
  return new KafkajsClient(kafkajsOptions(options));
}
