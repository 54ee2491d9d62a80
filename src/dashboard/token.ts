/**
 * The dashboard's bearer token: read from a file only its owner can read (any local user can
 * reach a loopback port, so the listener alone protects nothing). A file others may read is
 * refused, as ssh refuses such a key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { open } from 'node:fs/promises';
import { AppError, ExitCode } from '../errors.js';

/** Shorter tokens are refused: a guessable token is no token. */
export const MIN_TOKEN_LENGTH = 16;
const MAX_TOKEN_FILE_BYTES = 4096;

export class DashboardTokenError extends AppError {
  constructor(file: string, problem: string, hint: string) {
    super('dashboard-token-invalid', `Cannot use the dashboard token file "${file}": ${problem}`, { hint, exitCode: ExitCode.usage });
  }
}

/** The token (first line, trimmed); DashboardTokenError when the file is missing, short or readable by group or others. */
export async function readDashboardToken(file: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new DashboardTokenError(file, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message,
      `Create it: (umask 077; head -c 32 /dev/urandom | base64 > ${file}), and name it in dashboard.tokenFile`);
  }
  try {
    // Checked on the open file, not the path: no swap between the check and the read.
    const st = await handle.stat();
    if ((st.mode & 0o077) !== 0) {
      throw new DashboardTokenError(file, `its mode is ${(st.mode & 0o777).toString(8).padStart(4, '0')}, readable by group or others`, `Run "chmod 600 ${file}"`);
    }
    if (st.size > MAX_TOKEN_FILE_BYTES) throw new DashboardTokenError(file, `it holds ${st.size} bytes, more than a token`, 'Put only the token in it');
    const token = (await handle.readFile('utf8')).split('\n')[0]?.trim() ?? '';
    if (token.length < MIN_TOKEN_LENGTH) throw new DashboardTokenError(file, `the token is ${token.length} characters, fewer than ${MIN_TOKEN_LENGTH}`, `Write a longer one: head -c 32 /dev/urandom | base64 > ${file}`);
    return token;
  } finally {
    await handle.close();
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison (hashed first, so lengths do not leak either). */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  return given !== undefined && timingSafeEqual(digest(expected), digest(given));
}

/** The session cookie's value for a token: derived, so the cookie jar never holds the token itself. */
export function sessionValue(token: string): string {
  return createHash('sha256').update(`kubekeeper-dashboard-session\0${token}`, 'utf8').digest('base64url');
}
