/**
 * `backup delete`: removes one backup. The manifest goes first, so the backup stops being
 * listed as good before any of its data disappears; then the data objects it names. Only
 * objects named after this backup are touched (manifest-parse checks that), and for a
 * backup whose manifest is unreadable, only data objects that carry its name.
 */
import { AppError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { isNotFound } from '../storage/index.js';
import { backupNameOfObject, isValidBackupName } from './manifest.js';
import { BackupNotFoundError, type BackupRepository, dataHandle, manifestHandle } from './repository.js';

export interface DeleteBackupOptions {
  signal?: AbortSignal;
  logger?: Logger;
}

export interface DeleteBackupResult {
  name: string;
  /** Removed objects, as "manifest/<name>.json" and "data/<object>". */
  removed: string[];
  /** Bytes of data objects removed (as listed). */
  removedBytes: number;
  /** Objects listed but already gone when their turn came (another delete, listing lag): not counted as removed. */
  alreadyGone?: string[];
}

export async function deleteBackup(repo: BackupRepository, name: string, options: DeleteBackupOptions = {}): Promise<DeleteBackupResult> {
  const { signal } = options;
  const logger = options.logger ?? silentLogger;
  if (!isValidBackupName(name)) throw new BackupNotFoundError(name, repo.location);
  // Listed, not read from the manifest alone: a backup with a damaged manifest can still be deleted.
  const objects = new Map<string, number>();
  for await (const info of repo.backend.list('data', { signal })) {
    if (backupNameOfObject(info.name) === name) objects.set(info.name, info.sizeBytes);
  }
  const hasManifest = await repo.hasManifest(name, signal);
  if (!hasManifest && objects.size === 0) throw new BackupNotFoundError(name, repo.location);
  const removed: string[] = [];
  if (hasManifest) {
    await repo.backend.remove(manifestHandle(name), { signal });
    removed.push(`manifest/${manifestHandle(name).name}`);
  }
  let removedBytes = 0;
  const alreadyGone: string[] = [];
  for (const [object, sizeBytes] of objects) {
    try {
      // remove() of a missing object succeeds (S3 cannot tell): check first, so one already
      // gone is never reported as deleted by this run.
      if (!(await exists(repo, object, signal))) {
        alreadyGone.push(`data/${object}`);
        continue;
      }
      await repo.backend.remove(dataHandle(object), { signal });
    } catch (err) {
      // The manifest is gone, so what is left is an orphan that prune will collect.
      throw new AppError('backup-delete-partial', `Deleted the manifest of backup "${name}" but not its object "${object}"`, {
        hint: 'Run "kubekeeper backup prune" later to remove the leftover data', cause: err,
      });
    }
    removed.push(`data/${object}`);
    removedBytes += sizeBytes;
  }
  logger.log('info', 'backup.delete.done', { name, objects: removed.length, removedBytes, alreadyGone: alreadyGone.length });
  return { name, removed, removedBytes, ...(alreadyGone.length > 0 ? { alreadyGone } : {}) };
}

async function exists(repo: BackupRepository, object: string, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await repo.backend.stat(dataHandle(object), { signal });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
