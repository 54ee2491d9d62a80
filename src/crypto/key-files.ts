/**
 * Loading keys from disk: the I/O edge of crypto/. Identity files hold secrets, so a
 * world-readable one is refused (like ssh does for private keys) with the chmod to run.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import { KeyFormatError } from './errors.js';
import {
  formatIdentityFile, generateIdentity, parseIdentityFile, parseRecipient, parseRecipientsFile, type Identity, type Recipient,
} from './keys.js';

/** Identity or recipient files larger than this are not key files. */
export const MAX_KEY_FILE_BYTES = 1024 * 1024;

export interface LoadIdentitiesOptions {
  /** Accept an identity file that other users can read (mode o+r). */
  allowWorldReadable?: boolean;
}

async function readKeyFile(path: string, what: 'identity' | 'recipients', createHint: string, allowWorldReadable = false): Promise<string> {
  let sizeBytes: number;
  let mode: number;
  try {
    ({ size: sizeBytes, mode } = await stat(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError(`${what}-file-missing`, `Cannot read the ${what} file "${path}": it does not exist`, { hint: createHint, cause: err });
    throw new AppError(`${what}-file-unreadable`, `Cannot read the ${what} file "${path}": ${code ?? (err as Error).message}`, { hint: 'Check the path and its permissions', cause: err });
  }
  if (sizeBytes > MAX_KEY_FILE_BYTES) {
    throw new KeyFormatError(`Cannot read the ${what} file "${path}": ${sizeBytes} bytes is too large for a key file`, `Point to the ${what} file, not to a backup or an encrypted file`);
  }
  if (what === 'identity' && (mode & 0o004) !== 0 && !allowWorldReadable) {
    throw new AppError('identity-file-insecure', `Refusing the identity file "${path}": it is readable by every user (mode ${(mode & 0o777).toString(8)})`, {
      hint: `It holds a secret key: run "chmod 600 ${path}"`,
    });
  }
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new AppError(`${what}-file-unreadable`, `Cannot read the ${what} file "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { hint: 'Check the path and its permissions', cause: err });
  }
}

/** Reads an identity file (age-keygen format). Throws AppError for a missing, unreadable, world-readable or invalid file. */
export async function loadIdentities(path: string, options: LoadIdentitiesOptions = {}): Promise<Identity[]> {
  const createHint = 'Create one with "kubekeeper keygen -o FILE" (or "age-keygen -o FILE") and keep it safe';
  const text = await readKeyFile(path, 'identity', createHint, options.allowWorldReadable);
  return parseIdentityFile(text, `"${path}"`);
}

/**
 * Recipients from an "age1..." string, or from a recipients file (one age1... per line) when
 * the argument is a path. Throws AppError for a missing file or an invalid key.
 */
export async function loadRecipients(pathOrRecipient: string): Promise<Recipient[]> {
  if (pathOrRecipient.trim().startsWith('age1')) return [parseRecipient(pathOrRecipient)];
  const text = await readKeyFile(pathOrRecipient, 'recipients', 'Give an age1... recipient or a file with one per line; "kubekeeper keygen" prints a new pair');
  return parseRecipientsFile(text, `"${pathOrRecipient}"`);
}

/**
 * Generates a new identity and writes it as an age-keygen style file at `filePath`, mode
 * 0600. Never overwrites: an existing file fails with 'identity-file-exists'. The file
 * appears complete or not at all (temp file, fsync, hard link to the final name, fsync of
 * the directory). Returns the recipient to share.
 */
export async function createIdentityFile(filePath: string, createdAt: Date = new Date()): Promise<{ recipient: string }> {
  const generated = generateIdentity();
  const dir = path.dirname(filePath);
  const temp = path.join(dir, `.${path.basename(filePath)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(formatIdentityFile(generated, createdAt));
      await handle.sync();
    } finally {
      await handle.close();
    }
    // link() fails with EEXIST instead of replacing, unlike rename().
    await link(temp, filePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new AppError('identity-file-exists', `Cannot write the identity file "${filePath}": it already exists`, {
        hint: 'Choose another path; an existing key is never overwritten (backups encrypted to it would be lost)',
      });
    }
    throw new AppError('identity-file-unwritable', `Cannot write the identity file "${filePath}": ${code ?? (err as Error).message}`, {
      hint: 'Check that the directory exists and is writable', cause: err,
    });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
  return { recipient: generated.recipient };
}
