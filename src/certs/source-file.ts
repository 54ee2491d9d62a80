/**
 * Reading PKI files as SourceFile (text, sha256, mode, owner). A missing file is `undefined`,
 * not an error: missing certificates are a finding, not a crash.
 */
import { createHash } from 'node:crypto';
import { open, readdir } from 'node:fs/promises';
import { AppError, fileErrorText, messageOf } from '../errors.js';
import type { SourceFile } from './inventory.js';

/** PEM files and kubeconfigs are a few KiB; a bigger file is not what we think it is. */
export const MAX_PKI_FILE_BYTES = 1024 * 1024;

/** Hex SHA-256, the hash the journal records to tell old content from new. */
export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Reads `path`, or returns undefined when it does not exist. */
export async function readSourceFile(path: string): Promise<SourceFile | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('pki-read-failed', `Cannot read "${path}": ${fileErrorText(err)}`, {
      cause: err, hint: 'Run as root (the PKI files are readable by root only)',
    });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new AppError('pki-read-failed', `Cannot read "${path}": not a regular file`);
    if (stat.size > MAX_PKI_FILE_BYTES) {
      throw new AppError('pki-read-failed', `Cannot read "${path}": ${stat.size} bytes, more than ${MAX_PKI_FILE_BYTES} for a certificate or kubeconfig`);
    }
    const bytes = await handle.readFile();
    return { path, text: bytes.toString('utf8'), sha256: sha256Hex(bytes), mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid };
  } finally {
    await handle.close();
  }
}

/** Lists a directory, or [] when it does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AppError('pki-read-failed', `Cannot list "${dir}": ${messageOf(err)}`, { cause: err });
  }
}
