/**
 * A table on S3 or an S3-compatible store (`s3://bucket/prefix`), through the AWS SDK v3 client.
 *
 * - Commits: `PUT` with `If-None-Match: *` — the store creates the object only if the key is free
 *   and answers 412 otherwise (lost the race). A 409 (a concurrent conditional write still in
 *   flight) is retried after a short backoff; the retry ends in 200 or 412 like any other.
 * - Credentials: the SDK's default chain (env `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`,
 *   `AWS_PROFILE` + shared files, web identity, container and instance metadata), unless
 *   `configureS3({ credentials })` gives them. They are never logged or put in an error.
 * - Endpoint: `configureS3({ endpoint })`, else env `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`.
 *   Path-style addressing (`http://host/bucket/key`) is on when an endpoint is overridden (what
 *   MinIO, moto, Ceph… want), unless `forcePathStyle: false` or env `AWS_S3_FORCE_PATH_STYLE=false`.
 * - Throttling and 5xx: the SDK's retry strategy (`adaptive` by default here: exponential backoff
 *   with jitter plus client-side rate limiting on throttling), `maxAttempts` (default 8).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type * as S3SdkModule from '@aws-sdk/client-s3';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { ConfigError, TributaryError } from '../../errors.js';
import type { TableStore } from './object-store.js';

/** How to reach a table on S3-compatible storage: region, endpoint, path-style addressing, retries and credentials. */
export interface S3StorageOptions {
  /** Default: env `AWS_REGION`, `AWS_DEFAULT_REGION`, else `us-east-1`. */
  readonly region?: string;
  /** An S3-compatible endpoint, e.g. `http://127.0.0.1:9000`. Default: env `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`. */
  readonly endpoint?: string;
  /** Path-style addressing; default true when an endpoint is overridden. */
  readonly forcePathStyle?: boolean;
  /** Attempts per request, throttling and 5xx included (default 8). */
  readonly maxAttempts?: number;
  /** `standard` or `adaptive` (default, adds client-side rate limiting when throttled). */
  readonly retryMode?: 'standard' | 'adaptive';
  /** Explicit credentials or a provider; default: the SDK's default chain. */
  readonly credentials?: S3ClientConfig['credentials'];
}

let configured: S3StorageOptions = {};
const clients = new Map<string, S3Client>();

type S3Sdk = typeof S3SdkModule;
let sdkLoading: Promise<S3Sdk> | undefined;
/** The AWS SDK, loaded at the first S3 request: a process with only local tables never pays its ~35 MB. */
function s3Sdk(): Promise<S3Sdk> {
  return (sdkLoading ??= import('@aws-sdk/client-s3'));
}

/**
 * Sets the S3 settings of this process (tables opened afterwards use them). Fails at once on a
 * malformed endpoint.
 */
export function configureS3(options: S3StorageOptions): void {
  if (options.endpoint !== undefined) checkEndpoint(options.endpoint, 'configureS3({ endpoint })');
  if (options.maxAttempts !== undefined && !(Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1)) {
    throw new ConfigError(`configureS3: maxAttempts must be an integer ≥ 1, got ${options.maxAttempts}`);
  }
  configured = { ...options };
  for (const c of clients.values()) c.destroy();
  clients.clear();
}

function checkEndpoint(endpoint: string, where: string): void {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new ConfigError(`${where}: "${endpoint}" is not a URL; give e.g. http://127.0.0.1:9000`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`${where}: endpoint must be http(s), got ${u.protocol}`);
  if (u.username || u.password) throw new ConfigError(`${where}: do not put credentials in the endpoint URL; use the AWS credential chain`);
}

export function isS3Location(location: string): boolean {
  return /^s3a?:\/\//i.test(location);
}

/** `s3://bucket/a/b/` → { bucket, prefix: 'a/b' }. */
export function parseS3Location(location: string): { bucket: string; prefix: string } {
  const m = /^s3a?:\/\/([^/]+)\/?(.*)$/i.exec(location);
  if (!m || !m[1]) throw new ConfigError(`"${location}" is not an S3 location; write s3://bucket/path/to/table`);
  return { bucket: m[1], prefix: m[2]!.replace(/\/+$/, '') };
}

function resolvedSettings(): {
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
} {
  const env = process.env;
  const endpoint = configured.endpoint ?? (env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || undefined);
  if (endpoint !== undefined && configured.endpoint === undefined) checkEndpoint(endpoint, 'env AWS_ENDPOINT_URL');
  const pathEnv = env['AWS_S3_FORCE_PATH_STYLE'];
  const forcePathStyle = configured.forcePathStyle ?? (pathEnv !== undefined ? pathEnv === 'true' : endpoint !== undefined);
  return {
    region: configured.region ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || 'us-east-1'),
    endpoint,
    forcePathStyle,
    maxAttempts: configured.maxAttempts ?? 8,
    retryMode: configured.retryMode ?? 'adaptive',
  };
}

async function clientFor(): Promise<{ client: S3Client; sdk: S3Sdk }> {
  const s = resolvedSettings();
  const sdk = await s3Sdk();
  const key = JSON.stringify(s);
  let c = clients.get(key);
  if (!c) {
    c = new sdk.S3Client({
      region: s.region,
      ...(s.endpoint !== undefined ? { endpoint: s.endpoint } : {}),
      forcePathStyle: s.forcePathStyle,
      maxAttempts: s.maxAttempts,
      retryMode: s.retryMode,
      ...(configured.credentials !== undefined ? { credentials: configured.credentials } : {}),
    });
    clients.set(key, c);
  }
  return { client: c, sdk };
}

interface SdkError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  $fault?: string;
}

const status = (err: unknown): number | undefined => (err as SdkError).$metadata?.httpStatusCode;

export class S3TableStore implements TableStore {
  readonly remote = true;
  readonly bucket: string;
  readonly prefix: string;

  constructor(readonly location: string) {
    const { bucket, prefix } = parseS3Location(location);
    this.bucket = bucket;
    this.prefix = prefix;
  }

  private key(rel: string): string {
    return this.prefix ? `${this.prefix}/${rel}` : rel;
  }

  describe(rel: string): string {
    return `s3://${this.bucket}/${this.key(rel)}`;
  }

  private fail(op: string, rel: string, err: unknown): TributaryError {
    const code = status(err);
    const e = err as SdkError;
    const retriable = e.$retryable !== undefined || e.$fault === 'server' || (code !== undefined && code >= 500) || code === undefined;
    const what = code !== undefined ? `HTTP ${code} ${e.name ?? ''}`.trim() : (e.name ?? 'network error');
    return new TributaryError(`S3 ${op} of ${this.describe(rel)} failed: ${what}`, {
      code: 'DELTA',
      cause: err,
      retriable,
      context: { table: this.location, key: this.key(rel), missing: code === 404 },
    });
  }

  async read(rel: string): Promise<Uint8Array> {
    const got = await this.readIfExists(rel);
    if (got === undefined) {
      throw new TributaryError(`${this.describe(rel)} does not exist`, { code: 'DELTA', context: { table: this.location, key: this.key(rel), missing: true } });
    }
    return got;
  }

  async readIfExists(rel: string): Promise<Uint8Array | undefined> {
    try {
      const { client, sdk } = await clientFor();
      const r = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
      return await r.Body!.transformToByteArray();
    } catch (err) {
      if (status(err) === 404 || (err as SdkError).name === 'NoSuchKey') return undefined;
      throw this.fail('GET', rel, err);
    }
  }

  async write(rel: string, data: Uint8Array | string): Promise<void> {
    try {
      const { client, sdk } = await clientFor();
      await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.key(rel), Body: data }));
    } catch (err) {
      throw this.fail('PUT', rel, err);
    }
  }

  async putIfAbsent(rel: string, data: Uint8Array | string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { client, sdk } = await clientFor();
        await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.key(rel), Body: data, IfNoneMatch: '*' }));
        return true;
      } catch (err) {
        const code = status(err);
        if (code === 412) return false;
        // 409 ConditionalRequestConflict: another conditional PUT of this key is in flight.
        if (code === 409 && attempt < 10) {
          await sleep(Math.min(2_000, 50 * 2 ** attempt) * (0.5 + Math.random()));
          continue;
        }
        throw this.fail('conditional PUT', rel, err);
      }
    }
  }

  list(relDir: string): Promise<string[]> {
    return this.listFrom(relDir, undefined);
  }

  listAfter(relDir: string, after: string): Promise<string[]> {
    return this.listFrom(relDir, after);
  }

  private async listFrom(relDir: string, after: string | undefined): Promise<string[]> {
    const dir = this.key(relDir).replace(/\/+$/, '');
    const prefix = dir ? `${dir}/` : '';
    const out: string[] = [];
    let token: string | undefined;
    try {
      const { client, sdk } = await clientFor();
      do {
        const r = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            Delimiter: '/',
            ...(token !== undefined ? { ContinuationToken: token } : after !== undefined ? { StartAfter: prefix + after } : {}),
          }),
        );
        for (const o of r.Contents ?? []) if (o.Key) out.push(o.Key.slice(prefix.length));
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token !== undefined);
    } catch (err) {
      throw this.fail('LIST', relDir, err);
    }
    return out;
  }

  async delete(rel: string): Promise<void> {
    try {
      const { client, sdk } = await clientFor();
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
    } catch (err) {
      if (status(err) === 404) return;
      throw this.fail('DELETE', rel, err);
    }
  }

  async prepare(): Promise<void> {
    // Object stores have no directories; a missing bucket shows at the first request.
  }
}
