/**
 * Translation of kafkajs errors into tributary errors, at the edge of the adapter. Nothing thrown by
 * this adapter is a kafkajs error: callers see `TributaryError` (code, retriable, context) or one of
 * its subtypes the runtime acts on (`ProducerFencedError`).
 */
import { ProducerFencedError, TributaryError, type ErrorCode, type ErrorContext } from '../../errors.js';
import { tlsAlertName } from '../security.js';

/** Broker error codes that mean "another producer with this transactional id took over". */
const FENCED_CODES = new Set([47 /* INVALID_PRODUCER_EPOCH */, 90 /* PRODUCER_FENCED */]);
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

/**
 * Node TLS error codes meaning the broker's certificate (or our own, under mutual TLS) was refused.
 * Retrying cannot help: the trust store, the certificate or the host name must change.
 */
const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/** TLS alerts (any OpenSSL spelling, see `tlsAlertName`) of a peer refusing our certificate or lack of one. */
const TLS_TRUST_ALERTS = new Set(['CERTIFICATE_REQUIRED', 'BAD_CERTIFICATE', 'UNKNOWN_CA']);

interface VendorError {
  name?: string;
  message?: string;
  type?: string;
  code?: number | string;
  retriable?: boolean;
  cause?: unknown;
  errors?: unknown[];
  topic?: string;
  partition?: number;
}

/** Every error in the chain: the error itself, its causes and the members of aggregate errors. */
function* chain(error: unknown, depth = 0): Generator<VendorError> {
  if (depth > 8 || error === null || typeof error !== 'object') return;
  const e = error as VendorError;
  yield e;
  if (e.cause !== undefined && e.cause !== error) yield* chain(e.cause, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

/** The broker protocol error type (e.g. `CONCURRENT_TRANSACTIONS`) somewhere in the chain, if any. */
export function protocolType(error: unknown): string | undefined {
  for (const e of chain(error)) if (typeof e.type === 'string') return e.type;
  return undefined;
}

export function isFenced(error: unknown): boolean {
  for (const e of chain(error)) {
    if (typeof e.type === 'string' && FENCED_TYPES.has(e.type)) return true;
    if (e.name === 'KafkaJSProtocolError' && typeof e.code === 'number' && FENCED_CODES.has(e.code)) return true;
  }
  return false;
}

export function hasProtocolType(error: unknown, type: string): boolean {
  for (const e of chain(error)) if (e.type === type) return true;
  return false;
}

function codeFor(error: unknown): { code: ErrorCode; retriable: boolean } {
  let retriable = false;
  for (const e of chain(error)) {
    if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION' || e.name === 'KafkaJSTopicMetadataNotLoaded') {
      return { code: 'TOPIC_NOT_FOUND', retriable: false };
    }
    if (e.type === 'TOPIC_ALREADY_EXISTS') return { code: 'TOPIC_EXISTS', retriable: false };
    if ((e as unknown) instanceof TributaryError && (e as unknown as TributaryError).code === 'KAFKA_AUTHENTICATION')
      return { code: 'KAFKA_AUTHENTICATION', retriable: false };
    if (e.name === 'KafkaJSSASLAuthenticationError' || e.type === 'SASL_AUTHENTICATION_FAILED' || e.type === 'UNSUPPORTED_SASL_MECHANISM') {
      return { code: 'KAFKA_AUTHENTICATION', retriable: false };
    }
    if (typeof e.code === 'string' && (TLS_TRUST_CODES.has(e.code) || TLS_TRUST_ALERTS.has(tlsAlertName(e.code) ?? '')))
      return { code: 'KAFKA_AUTHENTICATION', retriable: false };
    if (typeof e.type === 'string' && e.type.endsWith('_AUTHORIZATION_FAILED')) return { code: 'KAFKA_AUTHORIZATION', retriable: false };
    if (
      e.name === 'KafkaJSConnectionError' ||
      e.name === 'KafkaJSConnectionClosedError' ||
      e.name === 'KafkaJSNoBrokerAvailableError' ||
      e.name === 'KafkaJSBrokerNotFound' ||
      e.name === 'KafkaJSRequestTimeoutError'
    ) {
      return { code: 'KAFKA_CONNECTION', retriable: true };
    }
    if (e.retriable === true) retriable = true;
  }
  return { code: 'KAFKA', retriable };
}

/**
 * Wraps any error thrown by kafkajs. Already-translated errors pass through unchanged. `what` says
 * what was being done ("send", "commitTransaction", ...) and leads the message.
 */
export function translateError(error: unknown, what: string, context: ErrorContext = {}): TributaryError {
  if (error instanceof TributaryError) return error;
  const vendor = error as VendorError | undefined;
  const detail = vendor?.message ?? String(error);
  const type = protocolType(error);
  const ctx: ErrorContext = {
    ...(vendor?.topic !== undefined && context.topic === undefined ? { topic: vendor.topic } : {}),
    ...(vendor?.partition !== undefined && context.partition === undefined ? { partition: vendor.partition } : {}),
    ...context,
    ...(type !== undefined ? { kafkaError: type } : {}),
  };
  if (isFenced(error)) {
    return new ProducerFencedError(`${what}: producer fenced by a newer instance with the same transactional id (${detail})`, {
      cause: error,
      context: ctx,
    });
  }
  if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') {
    // The runtime checks sizes before sending (record-limits.ts); reaching here means a limit it did not know (e.g. the broker's message.max.bytes below the topic's).
    return new TributaryError(
      `${what}: the broker refused a record batch as too large (${type}: ${detail}); raise max.message.bytes of the topic and message.max.bytes of the broker, or make records smaller`,
      { code: 'RECORD_TOO_LARGE', cause: error, context: ctx },
    );
  }
  const { code, retriable } = codeFor(error);
  const acls = 'docs/operations.md "ACLs for an application" lists what an application needs';
  // kafkajs drops FindCoordinator's GROUP_AUTHORIZATION_FAILED and reports only "not found".
  const coordinatorHidden = [...chain(error)].some((e) => e.name === 'KafkaJSGroupCoordinatorNotFound');
  const hint =
    code === 'KAFKA_AUTHORIZATION'
      ? ` — the principal lacks an ACL (${type ?? 'authorization failed'}); ${acls}`
      : coordinatorHidden
        ? ` — on a cluster with ACLs this is also what a principal without ${ctx.transactionalId !== undefined ? 'WRITE on the transactional id' : 'READ on the group'} sees; ${acls}`
        : '';
  return new TributaryError(`${what}: ${detail}${hint}`, { code, retriable, cause: error, context: ctx });
}
