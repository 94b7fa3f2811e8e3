/**
 * A pre-flight check of one broker's listener before any Kafka client connects: opens the
 * connection as the configured protocol would (TLS handshake for SSL / SASL_SSL, plain TCP
 * otherwise) and sends one ApiVersions request, which every listener answers before
 * authentication. It tells apart, within a few seconds and with a hint of what to change:
 *
 *   TLS client ─▶ plaintext port   the broker reads the ClientHello as a huge request and hangs up
 *   plain client ─▶ TLS port       the broker answers with a TLS alert or hangs up
 *   untrusted / expired / wrong-host certificate, client certificate required (mutual TLS)
 *
 * Kafka clients retry all of these as connection errors, which looks like a hang to a user.
 * SASL failures (wrong password, mechanism the broker does not enable) come from the client itself
 * and are not retried.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tlsAlertName, tlsOptions, usesTls, type KafkaSecurity, type SecurityProtocol } from './security.js';

export interface PreflightFailure {
  readonly server: string;
  readonly protocol: SecurityProtocol;
  /** What happened, e.g. "the broker's certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN)". */
  readonly reason: string;
  /** What to check, naming the client property. */
  readonly hint: string;
  /** True when retrying cannot help (certificate, protocol mismatch). */
  readonly security: boolean;
}

const TRUST_HINT = 'check that ssl.truststore.location (or ssl.ca.location) is the PEM file of the CA that signed the broker certificate';

/** Alerts of a broker that wants a client certificate it trusts (mutual TLS). */
const CLIENT_CERTIFICATE_ALERTS = new Set(['CERTIFICATE_REQUIRED', 'HANDSHAKE_FAILURE', 'BAD_CERTIFICATE', 'UNKNOWN_CA']);

function tlsFailure(code: string | undefined, message: string, host: string): { reason: string; hint: string } | undefined {
  const alert = tlsAlertName(code);
  switch (alert !== undefined && CLIENT_CERTIFICATE_ALERTS.has(alert) ? 'CLIENT_CERTIFICATE_ALERT' : code) {
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_UNTRUSTED':
      return { reason: `the broker's certificate is not trusted (${code})`, hint: TRUST_HINT };
    case 'CERT_HAS_EXPIRED':
      return {
        reason: "the broker's certificate has expired (CERT_HAS_EXPIRED)",
        hint: "the broker needs a renewed certificate (or check this machine's clock)",
      };
    case 'CERT_NOT_YET_VALID':
      return { reason: "the broker's certificate is not valid yet (CERT_NOT_YET_VALID)", hint: "check this machine's clock" };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return {
        reason: `the broker's certificate does not name the host '${host}' (ERR_TLS_CERT_ALTNAME_INVALID)`,
        hint: 'connect with a host name the certificate lists; only if you must, turn hostname verification off with ssl.endpoint.identification.algorithm= (empty)',
      };
    case 'CLIENT_CERTIFICATE_ALERT':
      return {
        reason: `the broker refused the TLS handshake (${code}): it requires a client certificate it trusts (mutual TLS)`,
        hint: 'set ssl.keystore.location (PEM with certificate and key) or ssl.certificate.location + ssl.key.location to a certificate signed by a CA the broker trusts',
      };
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return plaintextPort();
    default:
      if (/before secure TLS connection was established/i.test(message) || code === 'ECONNRESET') return plaintextPort();
      return undefined;
  }
}

function plaintextPort(): { reason: string; hint: string } {
  return {
    reason: 'the broker closed the connection during the TLS handshake',
    hint: 'this port looks like a PLAINTEXT or SASL_PLAINTEXT listener: check security.protocol and that the port is the TLS listener',
  };
}

/** ApiVersions v0 with correlation id 0x7472 and client id "tributary-preflight". */
function apiVersionsRequest(): Buffer {
  const clientId = Buffer.from('tributary-preflight');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(18, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(0x7472, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** Resolves undefined when the listener answered an ApiVersions request over `security.protocol`. */
export function preflightBroker(server: string, security: KafkaSecurity | undefined, timeoutMs: number): Promise<PreflightFailure | undefined> {
  const protocol = security?.protocol ?? 'PLAINTEXT';
  const colon = server.lastIndexOf(':');
  const host = server.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(server.slice(colon + 1));
  const tls = security !== undefined && usesTls(protocol);
  return new Promise((resolve) => {
    let settled = false;
    let received = Buffer.alloc(0);
    const finish = (failure: Omit<PreflightFailure, 'server' | 'protocol'> | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(failure === undefined ? undefined : { server, protocol, ...failure });
    };
    const send = () => socket.write(apiVersionsRequest());
    const socket: Socket = tls
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...tlsOptions(security) }, send)
      : netConnect({ host, port }, send);
    const timer = setTimeout(
      () =>
        finish({
          reason: `no answer to an ApiVersions request within ${(timeoutMs / 1000).toFixed(1)} s`,
          hint: tls ? 'check that the port is a TLS listener of a Kafka broker' : 'check that the port is a Kafka listener and security.protocol matches it',
          security: false,
        }),
      timeoutMs,
    );
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!tls && received[0] === 0x15 && received[1] === 0x03) {
        finish({
          reason: 'the broker answered with a TLS alert',
          hint: `this port is a TLS listener: set security.protocol=SSL or SASL_SSL (this client uses ${protocol})`,
          security: true,
        });
        return;
      }
      if (received.length >= 8) {
        if (received.readInt32BE(4) === 0x7472) finish(undefined);
        else finish({ reason: 'the answer is not a Kafka response', hint: 'check the port and security.protocol', security: true });
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const known = tls ? tlsFailure(err.code, err.message, host) : undefined;
      if (known) return finish({ ...known, security: true });
      if (err.code === 'ECONNREFUSED') return finish({ reason: 'connection refused', hint: 'is the broker running? check the host and port', security: false });
      if (!tls && err.code === 'ECONNRESET') return finish(tlsPortHint(protocol));
      finish({ reason: err.code ? `${err.code}: ${err.message}` : err.message, hint: 'check the host, port and security.protocol', security: false });
    });
    socket.on('close', () => {
      if (settled) return;
      if (tls) finish({ ...plaintextPort(), security: true });
      else finish(tlsPortHint(protocol));
    });
  });
}

function tlsPortHint(protocol: SecurityProtocol): Omit<PreflightFailure, 'server' | 'protocol'> {
  return {
    reason: 'the broker closed the connection without answering',
    hint: `this port may be a TLS (SSL / SASL_SSL) listener while this client uses ${protocol}: check security.protocol`,
    security: true,
  };
}
