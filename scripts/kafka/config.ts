/** Configuration files of the single-node KRaft test broker. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** A Kafka `Uuid` string (base64url of 16 random bytes), as `StorageTool random-uuid` prints. */
export function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-') && !/^A+$/.test(id)) return id;
  }
}

export function serverProperties(dir: string, port: number, controllerPort: number, extra: Readonly<Record<string, string>>): string {
  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': join(dir, 'data'),
    'num.partitions': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '1',
    'group.initial.rebalance.delay.ms': '0',
    'auto.create.topics.enable': 'false',
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': '1000',
    'log.cleaner.dedupe.buffer.size': String(32 * 1024 * 1024),
    // The cleaner looks for work every second (default 15 s): a test of compaction waits less.
    // Only topics with small segments have anything to clean; the default segments never roll.
    'log.cleaner.backoff.ms': '1000',
    ...extra,
  };
  return Object.entries(props)
    .map(([k, v]) => `${k}=${v.replaceAll('\\', '\\\\')}`)
    .join('\n')
    .concat('\n');
}

export function log4jProperties(logFile: string): string {
  return [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${logFile.replaceAll('\\', '\\\\')}`,
    'log4j.appender.file.Append=true',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka=INFO',
    'log4j.logger.org.apache.kafka=INFO',
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.kafka.authorizer.logger=WARN',
    '',
  ].join('\n');
}
