/** Which Node versions @platformatic/kafka runs on; imports nothing of the library itself. */
import { ConfigError } from '../../errors.js';

/** Node versions @platformatic/kafka runs on (it uses `Promise.withResolvers` and more). */
export function platformaticSupported(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 24 || (major === 24 && minor >= 6) || (major === 22 && minor >= 22) || major === 23;
}

/** The `ConfigError` for the platformatic client on a Node version it does not run on. */
export function platformaticUnsupported(): ConfigError {
  return new ConfigError(`the platformatic Kafka client needs Node >= 22.22 (or >= 24.6); this is Node ${process.versions.node}: use client 'kafkajs'`);
}
