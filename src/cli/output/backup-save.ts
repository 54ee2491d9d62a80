/** Output of the commands that change a repository: save, download, delete. */
import type { DeleteBackupResult, DownloadBackupResult, SaveBackupResult } from '../../backup/index.js';
import { formatIecBytes } from './progress.js';

export const RESULT_FORMATS = ['text', 'json'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function renderSave(result: SaveBackupResult, location: string, format: ResultFormat): string {
  const m = result.manifest;
  if (format === 'json') {
    return `${JSON.stringify({ repository: location, name: m.name, durationMs: result.durationMs, snapshotMs: result.snapshotMs, rereadMs: result.rereadMs, snapshotBytes: result.snapshotBytes, storedBytes: result.storedBytes, manifest: m })}\n`;
  }
  const ratio = result.snapshotBytes > 0 ? ` (${((100 * result.storedBytes) / result.snapshotBytes).toFixed(0)}%)` : '';
  return [
    `Backup "${m.name}" saved to "${location}" in ${seconds(result.durationMs)}`,
    `  snapshot ${formatIecBytes(result.snapshotBytes)} at revision ${m.cluster.revision} from ${m.cluster.endpoint}, stored ${formatIecBytes(result.storedBytes)}${ratio}, ${m.compression}, ${m.encryption.scheme === 'age' ? 'age-encrypted' : 'NOT encrypted'}`,
    `  re-read and checked in ${seconds(result.rereadMs)}${m.bundle ? `; bundle of ${m.bundle.files.length} file(s)` : ''}`,
    '',
  ].join('\n');
}

export function renderDownload(result: DownloadBackupResult, format: ResultFormat): string {
  if (format === 'json') {
    return `${JSON.stringify({ name: result.manifest.name, path: result.path, sizeBytes: result.sizeBytes, bundlePath: result.bundlePath, bundleBytes: result.bundleBytes, durationMs: result.durationMs })}\n`;
  }
  const bundle = result.bundlePath ? `\nBundle written to "${result.bundlePath}" (${formatIecBytes(result.bundleBytes ?? 0)}); extract with: tar -xf ${result.bundlePath} -C /` : '';
  return `Snapshot of backup "${result.manifest.name}" written to "${result.path}" (${formatIecBytes(result.sizeBytes)}, every hash checked)${bundle}\n`;
}

export function renderDelete(result: DeleteBackupResult, format: ResultFormat): string {
  if (format === 'json') return `${JSON.stringify(result)}\n`;
  const gone = result.alreadyGone?.length ? ` (${result.alreadyGone.length} already gone: ${result.alreadyGone.join(', ')})` : '';
  return `Deleted backup "${result.name}": ${result.removed.length} object(s), ${formatIecBytes(result.removedBytes)}${gone}\n`;
}
