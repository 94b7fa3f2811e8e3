/**
 * Translation of @platformatic/kafka errors into tributary errors, at the edge of the adapter.
 * Nothing thrown by this adapter is a platformatic error: callers see `TributaryError` or
 * `ProducerFencedError`. Platformatic errors carry `code` (`PLT_KFK_*`), protocol errors `apiId`
 * (e.g. `CONCURRENT_TRANSACTIONS`) and `canRetry`; several are wrapped in `MultipleErrors`
 * (`errors`) and `cause`.
 */
import { ProducerFencedError, TributaryError, type ErrorCode, type ErrorContext } from '../../errors.js';

const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

interface VendorError {
  name?: string;
  message?: string;
  code?: number | string;
  apiId?: string;
  canRetry?: boolean;
  /** The broker's own words (a protocol error's error message field). */
  serverErrorMessage?: string | null;
  cause?: unknown;
  errors?: unknown[];
}

function* chain(error: unknown, depth = 0): Generator<VendorError> {
  if (depth > 8 || error === null || typeof error !== 'object') return;
  const e = error as VendorError;
  yield e;
  if (e.cause !== undefined && e.cause !== error) yield* chain(e.cause, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

/** The first broker protocol error id (e.g. `CONCURRENT_TRANSACTIONS`) in the chain. */
export function apiIdOf(error: unknown): string | undefined {
  for (const e of chain(error)) if (typeof e.apiId === 'string') return e.apiId;
  return undefined;
}

export function hasApiId(error: unknown, id: string): boolean {
  for (const e of chain(error)) if (e.apiId === id) return true;
  return false;
}

export function isFenced(error: unknown): boolean {
  for (const e of chain(error)) if (typeof e.apiId === 'string' && FENCED.has(e.apiId)) return true;
  return false;
}

/**
 * A refused SASL handshake. ILLEGAL_SASL_STATE counts: when the broker refuses an OAUTHBEARER
 * token, platformatic goes on with its next request on that connection, and the broker answers
 * that instead.
 */
const isAuthentication = (e: VendorError): boolean =>
  e.code === 'PLT_KFK_AUTHENTICATION' ||
  e.apiId === 'SASL_AUTHENTICATION_FAILED' ||
  e.apiId === 'UNSUPPORTED_SASL_MECHANISM' ||
  e.apiId === 'ILLEGAL_SASL_STATE';
const isAuthorization = (e: VendorError): boolean => typeof e.apiId === 'string' && e.apiId.endsWith('_AUTHORIZATION_FAILED');

/**
 * The error code: what the broker said anywhere in the chain first (platformatic wraps a refused
 * SASL handshake or a missing ACL in "Cannot connect to any broker" / "Connection … failed"
 * network errors, which must not make it a retriable connection failure), then network failures.
 */
function codeFor(error: unknown): { code: ErrorCode; retriable: boolean } {
  for (const e of chain(error)) {
    if (e.apiId === 'UNKNOWN_TOPIC_OR_PARTITION' || e.apiId === 'UNKNOWN_TOPIC_ID') return { code: 'TOPIC_NOT_FOUND', retriable: false };
    if (e.apiId === 'TOPIC_ALREADY_EXISTS') return { code: 'TOPIC_EXISTS', retriable: false };
    if (isAuthentication(e)) return { code: 'KAFKA_AUTHENTICATION', retriable: false };
    if (isAuthorization(e)) return { code: 'KAFKA_AUTHORIZATION', retriable: false };
  }
  let retriable = false;
  for (const e of chain(error)) {
    if (e.code === 'PLT_KFK_NETWORK' || e.code === 'PLT_KFK_TIMEOUT') return { code: 'KAFKA_CONNECTION', retriable: true };
    if (e.canRetry === true) retriable = true;
  }
  return { code: 'KAFKA', retriable };
}

/** The messages of the chain, the broker's own first (they say why: e.g. "invalid credentials"), at most four. */
function detailOf(error: unknown): string {
  const server: string[] = [];
  const own: string[] = [];
  for (const e of chain(error)) {
    if (typeof e.serverErrorMessage === 'string' && e.serverErrorMessage !== '' && !server.includes(e.serverErrorMessage)) server.push(e.serverErrorMessage);
    if (e.message && !own.includes(e.message)) own.push(e.message);
  }
  // A refused handshake or a missing ACL: lead with that, not with the wrappers around it.
  const cause = [...chain(error)].find((e) => isAuthentication(e) || isAuthorization(e));
  const lead = cause?.message !== undefined ? [cause.message] : [];
  const all = [...lead, ...server, ...own.filter((m) => !lead.includes(m))];
  return all.length > 0 ? all.slice(0, 4).join(' / ') : String(error);
}

/** Wraps any error thrown by @platformatic/kafka; tributary errors pass through unchanged. */
export function translateError(error: unknown, what: string, context: ErrorContext = {}): TributaryError {
  if (error instanceof TributaryError) return error;
  const detail = detailOf(error);
  const type = apiIdOf(error);
  const ctx: ErrorContext = { ...context, ...(type !== undefined ? { kafkaError: type } : {}) };
  if (isFenced(error)) {
    return new ProducerFencedError(`${what}: producer fenced by a newer instance with the same transactional id (${detail})`, { cause: error, context: ctx });
  }
  if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') {
    return new TributaryError(
      `${what}: the broker refused a record batch as too large (${type}: ${detail}); raise max.message.bytes of the topic and message.max.bytes of the broker, or make records smaller`,
      { code: 'RECORD_TOO_LARGE', cause: error, context: ctx },
    );
  }
  const { code, retriable } = codeFor(error);
  const hint =
    code === 'KAFKA_AUTHORIZATION'
      ? ` — the principal lacks an ACL (${type ?? 'authorization failed'}); docs/operations.md "ACLs for an application" lists what an application needs`
      : '';
  return new TributaryError(`${what}: ${detail}${hint}`, { code, retriable, cause: error, context: ctx });
}
