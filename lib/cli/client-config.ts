/**
 * `--client-config <file>`: a Java-style client properties file with the connection's security
 * settings (see lib/app/client-properties.ts). Every client a command creates uses them.
 */
import { loadClientProperties, type ClientProperties } from '../app/client-properties.js';
import type { CliContext } from './context.js';
import { BOOTSTRAP_ENV } from './options.js';

export const CLIENT_CONFIG_ENV = 'TRIBUTARY_CLIENT_CONFIG';

/** Parses the file given by `--client-config` (or `$TRIBUTARY_CLIENT_CONFIG`); undefined when neither is set. */
export function readClientConfig(path: string | undefined, env: CliContext['env']): ClientProperties | undefined {
  const file = path ?? (env[CLIENT_CONFIG_ENV]?.trim() || undefined);
  if (file === undefined) return undefined;
  return loadClientProperties(file, { env });
}

/** `--bootstrap-servers` as given, else the file's `bootstrap.servers` when no env var names brokers. */
export function bootstrapWithFallback(flag: string | undefined, env: CliContext['env'], props: ClientProperties | undefined): string | undefined {
  if (flag !== undefined) return flag;
  if (env[BOOTSTRAP_ENV]?.trim()) return undefined;
  return props?.bootstrapServers;
}
