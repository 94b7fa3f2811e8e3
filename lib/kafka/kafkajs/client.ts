/**
 * `KafkaClient` over kafkajs: one `Kafka` instance builds every admin, producer and consumer, so
 * they share logging and connection settings. This directory is the only place that imports
 * kafkajs.
 */
import './aborted-filter.js';
import { Kafka } from 'kafkajs';
import { ConfigError } from '../../errors.js';
import type { Admin, Consumer, ConsumerOptions, KafkaClient, Producer, ProducerOptions } from '../types.js';
import { KafkajsAdmin } from './admin.js';
import { KafkajsConsumer, type KafkajsConsumerTuning } from './consumer.js';
import { kafkajsLogging, type KafkaLogLevel, type KafkaLogSink } from './logging.js';
import { KafkajsProducer } from './producer.js';
import { validateSecurity, type KafkaSecurity } from '../security.js';
import { kafkajsSecurity } from './security.js';

export interface KafkajsClientOptions {
  /** `host:port` list, or a comma-separated string of them. */
  readonly bootstrapServers: string | readonly string[];
  readonly clientId?: string;
  /** Where kafkajs' log lines go; default: nowhere (see `TRIBUTARY_KAFKA_LOG`). */
  readonly logger?: KafkaLogSink;
  /** Lowest level passed to the logger. Default 'warn'. */
  readonly logLevel?: KafkaLogLevel;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly consumerTuning?: KafkajsConsumerTuning;
  /** TLS / SASL of every connection this client makes (admin, producers, consumers). Default PLAINTEXT. */
  readonly security?: KafkaSecurity;
}

export class KafkajsClient implements KafkaClient {
  readonly name: string;
  /** The underlying kafkajs instance (for benchmarks and diagnostics inside `lib/kafka` only). */
  readonly kafka: Kafka;

  constructor(private readonly options: KafkajsClientOptions) {
    const brokers = (typeof options.bootstrapServers === 'string' ? options.bootstrapServers.split(',') : [...options.bootstrapServers])
      .map((b) => b.trim())
      .filter((b) => b.length > 0);
    if (brokers.length === 0) throw new ConfigError('bootstrapServers is empty: give at least one host:port');
    this.name = `kafkajs(${brokers.join(',')})`;
    if (options.security !== undefined) validateSecurity(options.security);
    this.kafka = new Kafka({
      ...kafkajsSecurity(options.security),
      brokers,
      clientId: options.clientId ?? 'tributary',
      ...(options.connectionTimeoutMs !== undefined ? { connectionTimeout: options.connectionTimeoutMs } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeout: options.requestTimeoutMs } : {}),
      ...kafkajsLogging(options.logger, options.logLevel),
    });
  }

  admin(): Admin {
    return new KafkajsAdmin(this.kafka);
  }

  producer(options: ProducerOptions = {}): Producer {
    return new KafkajsProducer(this.kafka, options);
  }

  consumer(options: ConsumerOptions): Consumer {
    return new KafkajsConsumer(this.kafka, options, this.options.consumerTuning);
  }
}

/** A `KafkaClient` for a real cluster through kafkajs. */
export function createKafkaClient(options: KafkajsClientOptions): KafkaClient {
  return new KafkajsClient(options);
}
