/**
 * Connecting the CLI to a broker without hanging. Before any Kafka client is made, the bootstrap
 * addresses are probed over TCP with a short per-attempt timeout and a bounded retry with backoff;
 * then the admin connection itself runs under the remaining deadline. A broker that cannot be
 * reached yields a `KAFKA_CONNECTION` error that says what was tried and what to do, within the
 * deadline (25 s by default, so a command answers within 30 s), instead of a client retrying forever.
 */
import { connect as tcpConnect } from 'node:net';
import { TributaryError } from '../errors.js';
import { preflightBroker } from '../kafka/preflight.js';
import { describeSecurity, redactSecrets, secretsOf, type KafkaSecurity } from '../kafka/security.js';
import type { Admin, KafkaClient } from '../kafka/types.js';

export interface ConnectOptions {
  readonly clientId: string;
  /** Overall deadline for reaching the cluster, cleanup included. Default 25 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** TLS / SASL of the client (from `--client-config`). Default PLAINTEXT. */
  readonly security?: KafkaSecurity;
}

export interface ConnectedKafka {
  readonly client: KafkaClient;
  /** A connected admin; the caller disconnects it. */
  readonly admin: Admin;
}

const ATTEMPT_TIMEOUT_MS = 3_000;
/** Pauses between probe attempts: at most 6 attempts, ~8 s when every connection is refused. */
const BACKOFF_MS = [250, 500, 1_000, 2_000, 4_000];

/** Probes the brokers, then creates a client and connects its admin, all within the deadline. */
export async function connectKafka(servers: readonly string[], options: ConnectOptions): Promise<ConnectedKafka> {
  const timeoutMs = options.timeoutMs ?? 25_000;
  const deadline = Date.now() + timeoutMs;
  await probeBrokers(servers, { deadline, ...(options.signal ? { signal: options.signal } : {}) });
  await preflight(servers, options.security, deadline);
  // Loaded on demand: `--help` and argument errors never pay for (or depend on) the Kafka client,
  // and only the chosen client library is loaded.
  const { loadKafkaClient, kafkaClientFromEnv } = await import('../kafka/client-choice.js');
  const kind = kafkaClientFromEnv();
  const client = await loadKafkaClient({
    ...(kind !== undefined ? { client: kind } : {}),
    bootstrapServers: servers,
    clientId: options.clientId,
    connectionTimeoutMs: ATTEMPT_TIMEOUT_MS,
    ...(options.security !== undefined ? { security: options.security } : {}),
  });
  const admin = client.admin();
  // Keep 1.5 s of the deadline for cleanup, so the whole command answers within it.
  const remaining = Math.max(1_000, deadline - Date.now() - 1_500);
  let timedOut: TributaryError | undefined;
  try {
    await withTimeout(
      admin.connect(),
      remaining,
      () => (timedOut = unreachable(servers, `the port accepts connections but no Kafka handshake completed within ${seconds(timeoutMs)}`)),
    );
  } catch (err) {
    // A half-open connection can make disconnect wait too; never let cleanup extend the deadline.
    await withTimeout(admin.disconnect(), 1_000, () => new Error('disconnect timed out')).catch(() => undefined);
    if (err === timedOut) throw err;
    throw securityFailure(servers, options.security, err) ?? unreachable(servers, redactSecrets(describe(err), secretsOf(options.security)), err);
  }
  return { client, admin };
}

/**
 * Checks each listener speaks the configured protocol (see lib/kafka/preflight.ts). Passes when any
 * server answers; throws `KAFKA_AUTHENTICATION` when a TLS / protocol mismatch explains the failure.
 */
async function preflight(servers: readonly string[], security: KafkaSecurity | undefined, deadline: number): Promise<void> {
  const budget = Math.max(500, Math.min(ATTEMPT_TIMEOUT_MS * 2, deadline - Date.now() - 2_000));
  const failures = await Promise.all(servers.map((s) => preflightBroker(s, security, budget)));
  if (failures.some((f) => f === undefined)) return;
  const first = failures.find((f) => f?.security) ?? failures[0]!;
  const protocol = describeSecurity(security);
  const message =
    `Cannot connect to the Kafka broker at ${first.server} over ${protocol}: ${first.reason}. Check: ${first.hint}.` +
    (servers.length > 1 ? ` (tried ${servers.join(',')})` : '');
  throw new TributaryError(message, { code: first.security ? 'KAFKA_AUTHENTICATION' : 'KAFKA_CONNECTION', retriable: !first.security });
}

/** A clear error for a SASL failure (wrong credentials, mechanism the broker does not enable), else undefined. */
function securityFailure(servers: readonly string[], security: KafkaSecurity | undefined, err: unknown): TributaryError | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code !== 'KAFKA_AUTHENTICATION' && code !== 'KAFKA_AUTHORIZATION') return undefined;
  const detail = redactSecrets(describe(err), secretsOf(security));
  const mechanism = security?.sasl?.mechanism;
  const check =
    code === 'KAFKA_AUTHORIZATION'
      ? 'the ACLs of this principal (docs/operations.md lists what an application needs)'
      : /not supported|UNSUPPORTED_SASL_MECHANISM/i.test(detail)
        ? `that the broker enables sasl.mechanism ${mechanism ?? ''} on this listener (sasl.enabled.mechanisms)`
        : mechanism === 'OAUTHBEARER'
          ? 'that the token is current and accepted by the broker'
          : `the username and password (sasl.jaas.config or TRIBUTARY_SASL_USERNAME / TRIBUTARY_SASL_PASSWORD) and that the user exists for ${mechanism ?? 'the mechanism'} on the broker`;
  return new TributaryError(
    `${code === 'KAFKA_AUTHORIZATION' ? 'Not authorized' : 'Authentication failed'} at ${servers.join(',')} over ${describeSecurity(security)}: ${detail}. Check ${check}.`,
    {
      code,
      retriable: false,
      cause: err,
    },
  );
}

/**
 * Resolves once any of the servers accepts a TCP connection. Retries with backoff until
 * `deadline`; then throws a `KAFKA_CONNECTION` error naming each server and why it failed.
 */
export async function probeBrokers(servers: readonly string[], options: { readonly deadline: number; readonly signal?: AbortSignal }): Promise<void> {
  const started = Date.now();
  let attempt = 0;
  let reasons: string[] = [];
  for (;;) {
    attempt++;
    const budget = Math.min(ATTEMPT_TIMEOUT_MS, Math.max(100, options.deadline - Date.now()));
    const results = await Promise.all(servers.map((s) => tryConnect(s, budget)));
    if (results.some((r) => r === undefined)) return;
    reasons = results.map((r, i) => `${servers[i]}: ${r}`);
    const delay = BACKOFF_MS[attempt - 1];
    if (delay === undefined || options.signal?.aborted || Date.now() + delay >= options.deadline) break;
    await sleep(delay, options.signal);
  }
  throw unreachable(servers, `${reasons.join('; ')} — ${attempt} attempt${attempt === 1 ? '' : 's'} in ${seconds(Date.now() - started)}`);
}

/** Undefined when the TCP connection succeeds, else a short reason. */
function tryConnect(server: string, timeoutMs: number): Promise<string | undefined> {
  const colon = server.lastIndexOf(':');
  const host = server.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(server.slice(colon + 1));
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const done = (reason: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(`no answer within ${seconds(timeoutMs)}`), timeoutMs);
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(errnoText(err)));
  });
}

function errnoText(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return err.code ?? err.message;
  }
}

function unreachable(servers: readonly string[], detail: string, cause?: unknown): TributaryError {
  return new TributaryError(
    `Cannot reach a Kafka broker at ${servers.join(',')} (${detail}). ` +
      'Is the broker running? Check --bootstrap-servers / KAFKA_BOOTSTRAP_SERVERS, or start one with `npm run broker`.',
    { code: 'KAFKA_CONNECTION', retriable: true, ...(cause === undefined ? {} : { cause }) },
  );
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Races a promise against a timer; the timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
