/**
 * Maps AWS SDK and network failures to StorageError. Our own messages only: SDK errors can
 * carry request details (access key IDs, string-to-sign) and internal file names, so neither
 * their message nor the error object travels as `cause`; a bare summary (S3 error name, HTTP
 * status, Node error code) does.
 */
import { AbortedError, type AppError } from '../../errors.js';
import type { Handle } from '../backend.js';
import { NotFoundError, StorageError } from '../errors.js';
import { MAX_S3_CONNECT_TIMEOUT_MS, formatSeconds } from './s3-timeouts.js';

interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $fault?: 'client' | 'server';
  cause?: unknown;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
const TRANSIENT_NAMES = new Set(['RequestTimeout', 'RequestTimeTooSkewed', 'SlowDown', 'InternalError', 'ServiceUnavailable', 'Throttling', 'ThrottlingException']);
const AUTH_NAMES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'AllAccessDisabled']);
const TLS_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE']);
/** A create-only write (If-None-Match: *) found the name taken: S3 answers 412, or 409 while a competing write is in flight. */
const CONDITION_NAMES = new Set(['PreconditionFailed', 'ConditionalRequestConflict']);

export interface S3ErrorContext {
  /** "Cannot save \"data/x\" to \"s3://b/f\"" */
  action: string;
  location: string;
  bucket: string;
  endpoint: string | undefined;
  handle?: Handle;
  /** The per-request bound and the SDK's attempts per request, for timeout messages. */
  timeoutMs?: number;
  attempts?: number;
  /** Where the credentials came from ("--s3-credentials-file /etc/kk/creds", "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"). */
  credentialSource?: string;
}

/** The Node error code of `err` or of anything in its cause chain. */
function nodeCode(err: unknown): string | undefined {
  for (let e = err as SdkErrorShape | undefined, depth = 0; e && depth < 5; e = e.cause as SdkErrorShape | undefined, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/** The SDK could not parse the answer as S3 XML, or an S3 call got a web page: not an S3 API. */
function isNotS3Answer(e: SdkErrorShape, status: number | undefined, ctx: S3ErrorContext): boolean {
  if (e.name === 'NotS3ResponseError') return true;
  if (/Deserialization error|XML parse error|char '.' is not expected/i.test(e.message ?? '')) return true;
  // A bucket listing answered 404 without an S3 error code: a real S3 says NoSuchBucket.
  return status === 404 && !ctx.handle && (e.message === 'UnknownError' || e.name === 'NotFound');
}

export function s3Error(err: unknown, ctx: S3ErrorContext): AppError {
  if (err instanceof StorageError || err instanceof AbortedError) return err;
  const e = (err ?? {}) as SdkErrorShape;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const code = nodeCode(err);
  const summary = new Error(`${name}${status ? ` (HTTP ${status})` : ''}${code && code !== name ? ` ${code}` : ''}`);
  const where = ctx.endpoint ? `endpoint ${ctx.endpoint}` : 'AWS S3';
  if (name === 'AbortError' || code === 'ABORT_ERR') return new AbortedError(ctx.action);
  if (name === 'NoSuchBucket') {
    return new StorageError('storage-bucket-missing', `${ctx.action}: bucket "${ctx.bucket}" does not exist at ${where}`, {
      cause: summary, hint: `Create the bucket "${ctx.bucket}" or fix the bucket in --repo s3://BUCKET/FOLDER`,
    });
  }
  if (CONDITION_NAMES.has(name) || (status === 412 && ctx.handle)) {
    const what = ctx.handle ? `"${ctx.handle.type}/${ctx.handle.name}"` : 'the object';
    return new StorageError('storage-exists', `${ctx.action}: ${what} already exists in "${ctx.location}" (another writer created it first)`, {
      cause: summary, hint: 'Objects are immutable; choose another name',
    });
  }
  if (isNotS3Answer(e, status, ctx)) {
    return new StorageError('storage-not-s3', `${ctx.action}: ${where} did not answer like an S3 API${status ? ` (HTTP ${status})` : ''}`, {
      cause: summary,
      hint: 'Check --s3-endpoint: it must be the S3 API URL (e.g. http://minio:9000, not the web console), and use https:// only when that port serves TLS',
    });
  }
  if ((name === 'NoSuchKey' || name === 'NotFound' || status === 404) && ctx.handle) return new NotFoundError(ctx.location, ctx.handle);
  if (AUTH_NAMES.has(name) || status === 403) {
    const source = ctx.credentialSource ? ` with the credentials from ${ctx.credentialSource}` : '';
    return new StorageError('storage-access-denied', `${ctx.action}: access denied by ${where}${source} (${name})`, {
      cause: summary,
      hint: 'Check the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --s3-credentials-file) and the bucket policy',
    });
  }
  if (name === 'CredentialsProviderError') {
    return new StorageError('storage-config', `${ctx.action}: no S3 credentials found`, {
      cause: summary, hint: 'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or pass --s3-credentials-file',
    });
  }
  if (code && TLS_CODES.has(code)) {
    return new StorageError('storage-config', `${ctx.action}: TLS certificate of ${where} not trusted (${code})`, {
      cause: summary, hint: 'Pass the CA bundle that signed the S3 endpoint with --s3-ca-file',
    });
  }
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/.test(e.message ?? '')) {
    return new StorageError('storage-not-s3', `${ctx.action}: TLS handshake with ${where} failed: the port does not speak TLS (${code ?? 'EPROTO'})`, {
      cause: summary, hint: 'Use http:// in --s3-endpoint for a plain-HTTP port, or the port that serves https',
    });
  }
  if (name === 'TimeoutError') {
    // Final: the SDK already retried the request; retrying the whole call would multiply the bound.
    const connecting = /establish a connection/.test(e.message ?? '');
    const limitMs = ctx.timeoutMs === undefined ? undefined : connecting ? Math.min(ctx.timeoutMs, MAX_S3_CONNECT_TIMEOUT_MS) : ctx.timeoutMs;
    const bound = limitMs !== undefined ? formatSeconds(limitMs) : 'the time limit';
    const attempts = e.$metadata?.attempts ?? ctx.attempts;
    const what = connecting ? `could not connect to ${where} within ${bound}` : `no answer from ${where} within ${bound} per request`;
    return new StorageError('storage-timeout', `${ctx.action}: ${what}${attempts ? ` (${attempts} attempt${attempts === 1 ? '' : 's'})` : ''}`, {
      cause: summary, hint: 'Check that the S3 endpoint is up and answering; raise --s3-timeout (or the URL parameter timeout=) for a slow link',
    });
  }
  if (name === 'NotImplemented' && ctx.action.startsWith('Cannot save')) {
    return new StorageError('storage-io', `${ctx.action}: ${where} does not implement a request kubekeeper sent (${summary.message})`, {
      cause: summary, hint: 'Objects are created with "If-None-Match: *"; for a store that refuses it, add conditional-writes=false to the s3:// URL',
    });
  }
  if ((code && NETWORK_CODES.has(code)) || TRANSIENT_NAMES.has(name) || (status !== undefined && status >= 500) || e.$fault === 'server') {
    return new StorageError('storage-unavailable', `${ctx.action}: ${where} unavailable (${summary.message})`, {
      cause: summary, transient: true, hint: 'Check that the S3 endpoint is up and reachable, then retry',
    });
  }
  return new StorageError('storage-io', `${ctx.action}: S3 request failed (${summary.message})`, { cause: summary });
}
