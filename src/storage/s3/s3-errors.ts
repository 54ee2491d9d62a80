/**
 * Maps AWS SDK and network failures to StorageError. Our own messages only: SDK errors can
 * carry request details (access key IDs, string-to-sign), so neither their message nor the
 * error object travels as `cause`; a bare summary (S3 error name, HTTP status) does.
 */
import { AbortedError, type AppError } from '../../errors.js';
import type { Handle } from '../backend.js';
import { NotFoundError, StorageError } from '../errors.js';

interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
  cause?: unknown;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeTooSkewed', 'SlowDown', 'InternalError', 'ServiceUnavailable', 'Throttling', 'ThrottlingException']);
const AUTH_NAMES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'AllAccessDisabled']);
const TLS_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE']);

export interface S3ErrorContext {
  /** "Cannot save \"data/x\" to \"s3://b/f\"" */
  action: string;
  location: string;
  bucket: string;
  endpoint: string | undefined;
  handle?: Handle;
}

/** The Node error code of `err` or of anything in its cause chain. */
function nodeCode(err: unknown): string | undefined {
  for (let e = err as SdkErrorShape | undefined, depth = 0; e && depth < 5; e = e.cause as SdkErrorShape | undefined, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
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
  if ((name === 'NoSuchKey' || name === 'NotFound' || status === 404) && ctx.handle) return new NotFoundError(ctx.location, ctx.handle);
  if (AUTH_NAMES.has(name) || status === 403) {
    return new StorageError('storage-access-denied', `${ctx.action}: access denied by ${where} (${name})`, {
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
  if ((code && NETWORK_CODES.has(code)) || TRANSIENT_NAMES.has(name) || (status !== undefined && status >= 500) || e.$fault === 'server') {
    return new StorageError('storage-unavailable', `${ctx.action}: ${where} unavailable (${summary.message})`, {
      cause: summary, transient: true, hint: 'Check that the S3 endpoint is up and reachable, then retry',
    });
  }
  return new StorageError('storage-io', `${ctx.action}: S3 request failed (${summary.message})`, { cause: summary });
}
