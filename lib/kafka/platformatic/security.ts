/** `KafkaSecurity` as @platformatic/kafka connection options (`tls`, `sasl`). */
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from '@platformatic/kafka';
import { ConfigError } from '../../errors.js';
import { tlsOptions, usesSasl, usesTls, type KafkaSecurity } from '../security.js';

export function platformaticSecurity(security: KafkaSecurity | undefined): { tls?: ConnectionOptions; sasl?: SASLOptions } {
  if (security === undefined || security.protocol === 'PLAINTEXT') return {};
  const out: { tls?: ConnectionOptions; sasl?: SASLOptions } = {};
  if (usesTls(security.protocol)) out.tls = tlsOptions(security);
  const sasl = security.sasl;
  if (usesSasl(security.protocol) && sasl !== undefined) {
    if (sasl.mechanism === 'OAUTHBEARER') {
      const provider = sasl.tokenProvider;
      out.sasl = { mechanism: 'OAUTHBEARER', token: async () => (await provider()).value };
    } else if (sasl.mechanism === 'PLAIN' || sasl.mechanism === 'SCRAM-SHA-256' || sasl.mechanism === 'SCRAM-SHA-512') {
      out.sasl = { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
    } else {
      throw new ConfigError(`SASL mechanism ${String((sasl as { mechanism: string }).mechanism)} is not supported by the platformatic client`);
    }
  }
  return out;
}
