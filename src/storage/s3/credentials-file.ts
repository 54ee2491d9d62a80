/**
 * Reads S3 credentials from a file (--s3-credentials-file), for hosts where neither env vars
 * nor ~/.aws fit (a systemd unit with a root-only file). Two spellings are accepted:
 * an AWS shared-credentials INI file (aws_access_key_id = ..., optional [profile]) and an
 * env file (AWS_ACCESS_KEY_ID=...). Values never appear in errors.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from '../../logger.js';
import { StorageError } from '../errors.js';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Credential files are tiny; anything larger is not one. */
const MAX_CREDENTIALS_FILE_BYTES = 64 * 1024;

const KEY_ALIASES: Record<string, keyof S3Credentials> = {
  aws_access_key_id: 'accessKeyId',
  access_key_id: 'accessKeyId',
  access_key: 'accessKeyId',
  aws_secret_access_key: 'secretAccessKey',
  secret_access_key: 'secretAccessKey',
  secret_key: 'secretAccessKey',
  aws_session_token: 'sessionToken',
  session_token: 'sessionToken',
};

/** Parses the file text; `profile` picks an INI section (default: "default", else the first). */
export function parseCredentialsFile(text: string, profile?: string): Partial<S3Credentials> {
  const sections = new Map<string, Partial<S3Credentials>>();
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      current = section[1] ?? '';
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().replace(/^export\s+/, '').toLowerCase();
    const field = KEY_ALIASES[key];
    if (!field) continue;
    const value = line.slice(eq + 1).trim().replace(/^(['"])(.*)\1$/, '$2');
    const entry = sections.get(current) ?? {};
    entry[field] = value;
    sections.set(current, entry);
  }
  if (profile !== undefined) return sections.get(profile) ?? {};
  return sections.get('default') ?? sections.get('') ?? sections.values().next().value ?? {};
}

/** Reads and checks a credentials file; warns through `logger` when others can read it. */
export async function loadCredentialsFile(path: string, profile: string | undefined, logger: Logger): Promise<S3Credentials> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > MAX_CREDENTIALS_FILE_BYTES) throw new Error(`larger than ${MAX_CREDENTIALS_FILE_BYTES} bytes`);
    if ((info.mode & 0o077) !== 0) logger.log('warn', 'storage.s3.credentials-file-readable', { path, mode: (info.mode & 0o777).toString(8) });
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new StorageError('storage-config', `Cannot read S3 credentials file "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      hint: 'Pass a readable file with aws_access_key_id and aws_secret_access_key to --s3-credentials-file',
    });
  }
  const parsed = parseCredentialsFile(text, profile);
  if (!parsed.accessKeyId || !parsed.secretAccessKey) {
    throw new StorageError('storage-config', `S3 credentials file "${path}" has no access key ID and secret access key${profile ? ` in profile "${profile}"` : ''}`, {
      hint: 'Write "aws_access_key_id = ..." and "aws_secret_access_key = ..." lines (or AWS_ACCESS_KEY_ID=... and AWS_SECRET_ACCESS_KEY=...)',
    });
  }
  return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey, ...(parsed.sessionToken ? { sessionToken: parsed.sessionToken } : {}) };
}
