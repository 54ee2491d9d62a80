/** Maps Node file-system errors to StorageError codes and hints, and fsyncs directories. */
import { open } from 'node:fs/promises';
import { AbortedError, AppError } from '../../errors.js';
import type { Handle } from '../backend.js';
import { NotFoundError, StorageError } from '../errors.js';

/** Wraps `err` (passing AppErrors through) with a message naming what failed. */
export function localError(err: unknown, action: string, handle: Handle | undefined, location: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' && handle) return new NotFoundError(location, handle);
  if (code === 'ABORT_ERR') return new AbortedError(action);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new StorageError('storage-access-denied', `${action}: permission denied (${code})`, {
      cause: err, hint: `Run as a user who may write "${location}" (backups are 0600 files in 0700 directories)`,
    });
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new StorageError('storage-io', `${action}: no space left on the device`, {
      cause: err, hint: 'Free space, or run "kubekeeper backup prune" to apply retention',
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new StorageError('storage-io', `${action}: ${message}`, { cause: err, transient: code === 'EAGAIN' || code === 'EBUSY' });
}

/** fsync a directory so a rename or unlink in it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
