/**
 * `KafkaSecurity` → kafkajs' `ssl` and `sasl` options. TLS verifies the broker's certificate
 * against the given CA (or Node's roots) and, unless turned off, that it names the host.
 */
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { tlsOptions, usesSasl, usesTls, type KafkaSecurity } from '../security.js';

export function kafkajsSecurity(security: KafkaSecurity | undefined): { ssl?: ConnectionOptions; sasl?: SASLOptions } {
  if (security === undefined || security.protocol === 'PLAINTEXT') return {};
  const out: { ssl?: ConnectionOptions; sasl?: SASLOptions } = {};
  if (usesTls(security.protocol)) out.ssl = tlsOptions(security);
  const sasl = security.sasl;
  if (usesSasl(security.protocol) && sasl !== undefined) {
    if (sasl.mechanism === 'OAUTHBEARER') {
      const provider = sasl.tokenProvider;
      out.sasl = { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: (await provider()).value }) };
    } else {
      const mechanism = sasl.mechanism === 'PLAIN' ? 'plain' : sasl.mechanism === 'SCRAM-SHA-256' ? 'scram-sha-256' : 'scram-sha-512';
      out.sasl = { mechanism, username: sasl.username, password: sasl.password };
    }
  }
  return out;
}
