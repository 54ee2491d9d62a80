/**
 * From a repository reference to a Backend: `--repo /var/backups/kubekeeper`,
 * `file:///var/backups/kubekeeper` or `s3://bucket/folder`. S3 settings can ride on the URL
 * as query parameters (endpoint, region, path-style, ca-file, credentials-file, profile,
 * timeout, conditional-writes), so
 * a daemon config holds one string; explicit settings (CLI flags) override them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Logger, silentLogger } from '../logger.js';
import type { Backend } from './backend.js';
import { StorageError } from './errors.js';
import { LocalBackend } from './local/local-backend.js';
import type { S3Config } from './s3/create-s3-backend.js';
import { parseS3Timeout } from './s3/s3-timeouts.js';
import { withRetry, type RetryOptions } from './with-retry.js';

export type RepositoryLocation =
  | { kind: 'local'; path: string }
  | ({ kind: 's3' } & S3Config);

/** The default repository of `backup save` when --repo is not given. */
export const DEFAULT_REPOSITORY = '/var/backups/kubekeeper';

const S3_QUERY_KEYS: Record<string, (c: S3Config, v: string) => void> = {
  endpoint: (c, v) => (c.endpoint = v),
  region: (c, v) => (c.region = v),
  'path-style': (c, v) => (c.forcePathStyle = parseBool(v)),
  'ca-file': (c, v) => (c.caFile = v),
  'credentials-file': (c, v) => (c.credentialsFile = v),
  profile: (c, v) => (c.profile = v),
  timeout: (c, v) => (c.timeoutMs = parseTimeout(v)),
  'conditional-writes': (c, v) => (c.conditionalWrites = parseBool(v)),
};

function parseTimeout(v: string): number {
  const ms = parseS3Timeout(v);
  if (ms === undefined) throw configError(`Invalid timeout "${v}" in the repository URL: use a duration such as 30s or 2m`);
  return ms;
}

function parseBool(v: string): boolean {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw configError(`Invalid boolean "${v}" in the repository URL`);
}

function configError(message: string): StorageError {
  return new StorageError('storage-config', message, {
    hint: 'Use --repo /path/to/dir, file:///path/to/dir or s3://bucket/folder[?endpoint=URL&region=R&path-style=true]',
  });
}

/** `ref` with any user:password@ part replaced, for messages. */
function redactUserinfo(ref: string): string {
  return ref.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/** Parses a --repo value; `overrides` (from flags) win over URL parameters. Pure. */
export function parseRepository(ref: string, overrides: Partial<S3Config> = {}): RepositoryLocation {
  if (ref.trim() === '') throw configError('The repository is empty');
  if (ref.startsWith('s3://')) {
    // Bucket names hold no "@" or ":": either means KEY:SECRET@ (even with a "/" in the secret).
    // Refused without echoing the URL: it would land in logs, and it already sits in argv or a config.
    const authority = ref.slice('s3://'.length).split(/[/?#]/)[0] ?? '';
    if (/[@:]/.test(authority)) {
      throw new StorageError('storage-config', 'Refusing a repository URL with credentials in it (s3://KEY:SECRET@bucket): they would be visible in the process list and logs', {
        hint: 'Use --repo s3://BUCKET/FOLDER and give the keys with --s3-credentials-file FILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; rotate a key that was typed in a URL',
      });
    }
    // Checked on the raw text: URL parsing would silently resolve "a/../b" to "b".
    const rawPath = (ref.slice('s3://'.length).split('?')[0] ?? '').split('/').slice(1);
    if (rawPath.some((part) => part === '..' || part === '.')) throw configError(`Invalid folder in "${ref}": no "." or ".." segments`);
    const url = new URL(ref);
    const bucket = url.hostname;
    const folder = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
    const config: S3Config = { bucket, folder };
    for (const [key, value] of url.searchParams) {
      const apply = S3_QUERY_KEYS[key];
      if (!apply) throw configError(`Unknown parameter "${key}" in the repository URL`);
      apply(config, value);
    }
    for (const [key, value] of Object.entries(overrides)) if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
    return { kind: 's3', ...config };
  }
  if (ref.startsWith('file://')) return { kind: 'local', path: fileURLToPath(ref) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) throw configError(`Unsupported repository "${redactUserinfo(ref)}"`);
  return { kind: 'local', path: path.resolve(ref) };
}

export interface OpenBackendOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Retry settings; `false` for a bare backend (tests). */
  retry?: RetryOptions | false;
}

/** Opens the backend for a location, wrapped in withRetry() unless told otherwise. */
export async function openBackend(location: RepositoryLocation, options: OpenBackendOptions = {}): Promise<Backend> {
  const logger = options.logger ?? silentLogger;
  const backend: Backend = location.kind === 'local'
    ? new LocalBackend(location.path)
    : await (await import('./s3/create-s3-backend.js')).createS3Backend(location, options.env ?? process.env, logger);
  return options.retry === false ? backend : withRetry(backend, { logger, ...options.retry });
}
