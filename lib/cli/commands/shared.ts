/**
 * Option definitions several commands share, so their names, help texts and parsing agree.
 */
import { Option, type Command } from 'commander';
import { BOOTSTRAP_ENV } from '../options.js';

export function addBootstrapOption(cmd: Command, embedded: boolean): Command {
  cmd.option('--bootstrap-servers <host:port[,host:port]>', `Kafka brokers to connect to (default: $${BOOTSTRAP_ENV}${embedded ? ', or --embedded' : ''})`);
  if (embedded) cmd.option('--embedded', 'use the in-process embedded broker instead of a real cluster');
  return cmd;
}

export function addClientConfigOption(cmd: Command): Command {
  return cmd.option(
    '--client-config <file>',
    'Java-style client properties: security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location, ... (default: $TRIBUTARY_CLIENT_CONFIG; see docs/operations.md)',
  );
}

export function addConnectTimeoutOption(cmd: Command): Command {
  return cmd.addOption(new Option('--connect-timeout <duration>', 'give up reaching the broker after this long (includes retries)').default('25s'));
}

/** An option that exists only to explain that it does not apply here. */
export function addRejectedOption(cmd: Command, flags: string): Command {
  return cmd.addOption(new Option(flags).hideHelp());
}
