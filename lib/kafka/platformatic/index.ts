export { PlatformaticClient, platformaticSupported, type PlatformaticClientOptions } from './client.js';
export type { PlatformaticConsumerTuning } from './consumer.js';
