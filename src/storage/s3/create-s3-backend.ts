/**
 * Builds an S3Backend from user-facing settings: endpoint, region, bucket, folder,
 * path-style addressing, a custom CA bundle (as RKE's `custom_ca`) and credentials from a
 * file or the SDK's usual chain (AWS_ACCESS_KEY_ID/..., AWS_PROFILE and ~/.aws, ...).
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { type Logger, silentLogger } from '../../logger.js';
import { StorageError } from '../errors.js';
import { loadCredentialsFile } from './credentials-file.js';
import { localhostLookup } from './localhost-lookup.js';
import { S3Backend } from './s3-backend.js';
import { DEFAULT_S3_ATTEMPTS, DEFAULT_S3_TIMEOUT_MS, MAX_S3_CONNECT_TIMEOUT_MS } from './s3-timeouts.js';

export interface S3Config {
  bucket: string;
  /** Folder in the bucket ('' for the root), without leading or trailing '/'. */
  folder: string;
  /** Custom endpoint (MinIO, Ceph, ...); default AWS (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL). */
  endpoint?: string;
  /** Default AWS_REGION, AWS_DEFAULT_REGION, else us-east-1 (most S3-compatible stores ignore it). */
  region?: string;
  /** Path-style URLs (http://host/bucket/key); default: on when a custom endpoint is set. */
  forcePathStyle?: boolean;
  /** PEM bundle trusted for the endpoint's TLS certificate, in addition to nothing else. */
  caFile?: string;
  /** A credentials file (INI or KEY=value); default: the SDK's provider chain. */
  credentialsFile?: string;
  /** Profile inside the credentials file. */
  profile?: string;
  /** Attempts per request inside the SDK (connection errors, timeouts, 5xx); default 3. */
  maxAttempts?: number;
  partSizeBytes?: number;
  queueSize?: number;
  /**
   * Bound of each request (--s3-timeout, URL `timeout=`): connecting (at most 10 s), the
   * answer's first byte, and every idle gap of a body. Default DEFAULT_S3_TIMEOUT_MS.
   */
  timeoutMs?: number;
  /**
   * Create objects with `If-None-Match: *`, so that two writers of one name cannot both
   * succeed (AWS S3, MinIO, versitygw, Ceph). Default true; `conditional-writes=false` in
   * the URL for a store that refuses the header.
   */
  conditionalWrites?: boolean;
  /** Names where the keys came from when the caller supplies them in `env` (a config file). */
  credentialSource?: string;
}

/**
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from `env` (the SDK's first provider, applied to the
 * env we were given rather than process.env); undefined defers to the SDK's chain.
 */
function credentialsFromEnv(env: NodeJS.ProcessEnv) {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

/** Bucket names per S3's rules (3-63 chars, lower case, digits, '.', '-'). */
export function isValidBucketName(bucket: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket);
}

/** The upload commands whose bodies are backup data (megabytes per request). */
const DATA_COMMANDS = new Set(['UploadPartCommand', 'PutObjectCommand']);

/**
 * Sends data bodies as UNSIGNED-PAYLOAD: otherwise SigV4 hashes every part (sha256 over the
 * whole object, ~0.7 s of CPU per GiB on the critical path, docs/benchmarks.md), over https
 * too. Integrity does not rest on that per-request hash: backup save records the sha256 of
 * the bytes it sent and re-reads the stored object before writing the manifest, and
 * restore checks it again. Requests stay signed (headers, key, part number).
 */
function unsignedDataPayloads(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (DATA_COMMANDS.has(context.commandName ?? '') && request.headers) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'kubekeeperUnsignedDataPayload' },
  );
}

/** Where the credentials come from, for access-denied messages (never the values). */
function credentialSourceOf(config: S3Config, env: NodeJS.ProcessEnv): string {
  if (config.credentialSource) return config.credentialSource;
  if (config.credentialsFile) return `the credentials file "${config.credentialsFile}"${config.profile ? ` (profile "${config.profile}")` : ''}`;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY';
  return `the AWS SDK's default chain (AWS_PROFILE${env.AWS_PROFILE ? `="${env.AWS_PROFILE}"` : ''}, ~/.aws, instance role)`;
}

/**
 * A web page is not an S3 answer: without this check the SDK parses a console's HTML as an
 * empty bucket listing, and `backup list` would report no backups instead of a wrong URL.
 * GetObject bodies are the object's own bytes, whatever their type.
 */
function refuseNonS3Answers(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const response = out.response as { statusCode?: number; headers?: Record<string, string>; body?: { destroy?: () => void } };
      const type = response.headers?.['content-type'] ?? '';
      if (context.commandName !== 'GetObjectCommand' && /^text\/html/i.test(type)) {
        response.body?.destroy?.();
        throw Object.assign(new Error('not an S3 answer'), { name: 'NotS3ResponseError', $metadata: { httpStatusCode: response.statusCode } });
      }
      return out;
    },
    { step: 'deserialize', name: 'kubekeeperRefuseNonS3Answers', priority: 'low' },
  );
}

/** An S3Client with kubekeeper's settings, and what a backend or a self-check needs to know of them. */
export interface S3ClientSetup {
  client: S3Client;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  timeoutMs: number;
  maxAttempts: number;
  credentialSource: string;
}

export interface S3ClientVariant {
  /**
   * Leave the SDK's default checksum mode on (CRC32 on every upload, streaming bodies sent as
   * `aws-chunked` with a trailer): only `backup check-storage` uses it, to tell whether this
   * server would store other SDK users' objects correctly.
   */
  sdkDefaultChecksums?: boolean;
  /** Override path-style addressing (the self-check tries the other style). */
  forcePathStyle?: boolean;
}

export async function createS3Backend(config: S3Config, env: NodeJS.ProcessEnv = process.env, logger: Logger = silentLogger): Promise<S3Backend> {
  const setup = await createS3Client(config, env, logger);
  return new S3Backend({
    client: setup.client, bucket: config.bucket, folder: config.folder, endpoint: setup.endpoint, logger,
    partSizeBytes: config.partSizeBytes, queueSize: config.queueSize,
    timeoutMs: setup.timeoutMs, maxAttempts: setup.maxAttempts, conditionalWrites: config.conditionalWrites ?? true, credentialSource: setup.credentialSource,
  });
}

/** The S3Client createS3Backend uses (same TLS, timeouts, credentials, middleware). */
export async function createS3Client(config: S3Config, env: NodeJS.ProcessEnv = process.env, logger: Logger = silentLogger, variant: S3ClientVariant = {}): Promise<S3ClientSetup> {
  if (!isValidBucketName(config.bucket)) {
    throw new StorageError('storage-config', `Invalid S3 bucket name "${config.bucket}"`, { hint: 'Use --repo s3://BUCKET/FOLDER with a valid bucket name' });
  }
  const endpoint = config.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint !== undefined && /^http:\/\//i.test(endpoint)) {
    // Request signatures, object names and manifests travel in clear text (the data is encrypted).
    let host = '';
    try {
      host = new URL(endpoint).host;
    } catch {
      // the SDK reports a malformed endpoint
    }
    logger.log('warn', 's3.plain-http', { endpoint: `http://${host}` });
  }
  let ca: Buffer | undefined;
  if (config.caFile) {
    try {
      ca = await readFile(config.caFile);
    } catch (err) {
      throw new StorageError('storage-config', `Cannot read S3 CA bundle "${config.caFile}": ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
        hint: 'Pass a readable PEM file to --s3-ca-file',
      });
    }
  }
  // Our own agents: a custom CA, and "<bucket>.localhost" resolving to loopback (RFC 6761)
  // for virtual-hosted addressing against a local endpoint.
  const httpAgent = new http.Agent({ keepAlive: true, lookup: localhostLookup });
  const httpsAgent = new https.Agent({ keepAlive: true, lookup: localhostLookup, ...(ca ? { ca } : {}) });
  const timeoutMs = config.timeoutMs ?? DEFAULT_S3_TIMEOUT_MS;
  const maxAttempts = config.maxAttempts ?? DEFAULT_S3_ATTEMPTS;
  const credentials = config.credentialsFile
    ? await loadCredentialsFile(config.credentialsFile, config.profile, logger)
    : credentialsFromEnv(env);
  // The SDK warns on every process start under Node 20 about releases due in 2027: noise
  // on an operator's terminal in the middle of a restore. kubekeeper documents its Node range.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const forcePathStyle = variant.forcePathStyle ?? config.forcePathStyle ?? endpoint !== undefined;
  const client = new S3Client({
    region: config.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpoint,
    forcePathStyle,
    credentials,
    maxAttempts,
    // The SDK's own warnings (socket capacity, timeouts) would reach the operator's terminal
    // raw; failures reach them as our StorageErrors instead.
    logger: { debug: () => undefined, info: () => undefined, warn: () => logger.log('debug', 'storage.s3.sdk-warning'), error: () => undefined },
    // The SDK's default CRC checksums (aws-chunked uploads with trailers) make several
    // S3-compatible stores, s3rver among them, store wrong bytes: checksum only when the
    // API requires it; integrity comes from our own sha256 over what was stored.
    ...(variant.sdkDefaultChecksums ? {} : { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } as const),
    requestHandler: {
      httpAgent,
      httpsAgent,
      connectionTimeout: Math.min(timeoutMs, MAX_S3_CONNECT_TIMEOUT_MS),
      // Without throwOnRequestTimeout the SDK only prints a [WARN] and keeps waiting.
      requestTimeout: timeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: timeoutMs,
    },
  });
  // A plain SDK user's requests are what the default-checksum probe must send.
  if (!variant.sdkDefaultChecksums) unsignedDataPayloads(client);
  refuseNonS3Answers(client);
  return { client, endpoint, forcePathStyle, timeoutMs, maxAttempts, credentialSource: credentialSourceOf(config, env) };
}
