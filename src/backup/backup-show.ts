/** `backup show`: one backup's manifest and whether its objects are all stored. */
import type { BackupEntry, BackupRepository } from './repository.js';
import { isNotFound } from '../storage/index.js';
import { dataHandle } from './repository.js';

/** The manifest of `ref` ("latest" or a name) with its status: each object is stat'ed. */
export async function showBackup(repo: BackupRepository, ref: string, signal?: AbortSignal): Promise<BackupEntry & { manifest: NonNullable<BackupEntry['manifest']> }> {
  const manifest = await repo.resolve(ref, signal);
  const problems: string[] = [];
  for (const object of manifest.objects) {
    try {
      const info = await repo.backend.stat(dataHandle(object.name), { signal });
      if (info.sizeBytes !== object.sizeBytes) problems.push(`${object.role} object "${object.name}" has ${info.sizeBytes} bytes, the manifest says ${object.sizeBytes}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      problems.push(`${object.role} object "${object.name}" is missing`);
    }
  }
  return { name: manifest.name, status: problems.length === 0 ? 'ok' : 'incomplete', problems, manifest };
}
