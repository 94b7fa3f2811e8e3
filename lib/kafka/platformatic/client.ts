/**
 * `KafkaClient` over @platformatic/kafka (pure TypeScript, Node >= 22.22 or >= 24.6): every admin,
 * producer and consumer gets the same connection options. This directory is the only place that
 * imports @platformatic/kafka.
 */
import { Admin as PltAdmin, type AdminOptions } from '@platformatic/kafka';
import { ConfigError } from '../../errors.js';
import type { Admin, Consumer, ConsumerOptions, KafkaClient, Producer, ProducerOptions } from '../types.js';
import { validateSecurity, type KafkaSecurity } from '../security.js';
import { PlatformaticAdmin } from './admin.js';
import { PlatformaticConsumer, type PlatformaticConsumerTuning } from './consumer.js';
import { PlatformaticProducer } from './producer.js';
import { platformaticSecurity } from './security.js';
import { platformaticSupported, platformaticUnsupported } from './support.js';

export interface PlatformaticClientOptions {
  /** `host:port` list, or a comma-separated string of them. */
  readonly bootstrapServers: string | readonly string[];
  readonly clientId?: string;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly consumerTuning?: PlatformaticConsumerTuning;
  /** TLS / SASL of every connection this client makes. Default PLAINTEXT. */
  readonly security?: KafkaSecurity;
}

/** The connection options shared by every platformatic client this `KafkaClient` makes. */
export interface PlatformaticBase {
  /** Client id, brokers, timeouts, TLS and SASL. */
  readonly options: AdminOptions;
  /** A new platformatic admin with these options (closed by the caller). */
  admin(): PltAdmin;
}

export { platformaticSupported };

export class PlatformaticClient implements KafkaClient {
  readonly name: string;
  private readonly base: PlatformaticBase;

  constructor(private readonly options: PlatformaticClientOptions) {
    if (!platformaticSupported()) {
      throw platformaticUnsupported();
    }
    const brokers = (typeof options.bootstrapServers === 'string' ? options.bootstrapServers.split(',') : [...options.bootstrapServers])
      .map((b) => b.trim())
      .filter((b) => b.length > 0);
    if (brokers.length === 0) throw new ConfigError('bootstrapServers is empty: give at least one host:port');
    this.name = `platformatic(${brokers.join(',')})`;
    if (options.security !== undefined) validateSecurity(options.security);
    const common: AdminOptions = {
      clientId: options.clientId ?? 'tributary',
      bootstrapBrokers: brokers,
      ...(options.connectionTimeoutMs !== undefined ? { connectTimeout: options.connectionTimeoutMs } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeout: options.requestTimeoutMs } : {}),
      ...platformaticSecurity(options.security),
    };
    this.base = { options: common, admin: () => new PltAdmin(common) };
  }

  admin(): Admin {
    return new PlatformaticAdmin(this.base.options);
  }

  producer(options: ProducerOptions = {}): Producer {
    return new PlatformaticProducer(this.base, options);
  }

  consumer(options: ConsumerOptions): Consumer {
    return new PlatformaticConsumer(this.base, options, this.options.consumerTuning);
  }
}
