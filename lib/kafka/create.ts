/**
 * `createKafkaClient`: a `KafkaClient` for a real cluster through the chosen client library —
 * kafkajs (the default) or @platformatic/kafka (`client: 'platformatic'`, Node >= 22.22). Both
 * libraries are imported here; `loadKafkaClient` (client-choice.ts) loads only the chosen one.
 */
import { KafkajsClient } from './kafkajs/index.js';
import { PlatformaticClient } from './platformatic/index.js';
import { kafkajsOptions, platformaticOptions, type CreateKafkaClientOptions } from './client-choice.js';
import type { KafkaClient } from './types.js';

/** A `KafkaClient` for a real cluster: kafkajs by default, or @platformatic/kafka with `client: 'platformatic'`. */
export function createKafkaClient(options: CreateKafkaClientOptions): KafkaClient {
  if (options.client === 'platformatic') return new PlatformaticClient(platformaticOptions(options));
  return new KafkajsClient(kafkajsOptions(options));
}
