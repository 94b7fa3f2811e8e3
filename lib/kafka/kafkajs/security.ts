/**
 * `KafkaSecurity` → kafkajs' `ssl` and `sasl` options. TLS verifies the broker's certificate
 * against the given CA (or Node's roots) and, unless turned off, that it names the host.
 */
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { TributaryError } from '../../errors.js';
import { tlsOptions, usesSasl, usesTls, type KafkaSecurity } from '../security.js';

/**
 * The `exp` claim (seconds) of a JWT, if the token is one. kafkajs does not read the broker's
 * OAUTHBEARER error challenge (it treats the exchange as done and the broker then drops the
 * connection), so an expired token is caught here, with a message that says so.
 */
function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

export function kafkajsSecurity(security: KafkaSecurity | undefined): { ssl?: ConnectionOptions; sasl?: SASLOptions } {
  if (security === undefined || security.protocol === 'PLAINTEXT') return {};
  const out: { ssl?: ConnectionOptions; sasl?: SASLOptions } = {};
  if (usesTls(security.protocol)) out.ssl = tlsOptions(security);
  const sasl = security.sasl;
  if (usesSasl(security.protocol) && sasl !== undefined) {
    if (sasl.mechanism === 'OAUTHBEARER') {
      const provider = sasl.tokenProvider;
      out.sasl = {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => {
          const { value } = await provider();
          const exp = jwtExpiry(value);
          if (exp !== undefined && exp * 1000 <= Date.now()) {
            throw new TributaryError(`the OAUTHBEARER token from the token provider expired at ${new Date(exp * 1000).toISOString()}`, {
              code: 'KAFKA_AUTHENTICATION',
            });
          }
          return { value };
        },
      };
    } else {
      const mechanism = sasl.mechanism === 'PLAIN' ? 'plain' : sasl.mechanism === 'SCRAM-SHA-256' ? 'scram-sha-256' : 'scram-sha-512';
      out.sasl = { mechanism, username: sasl.username, password: sasl.password };
    }
  }
  return out;
}
