/**
 * `snapshot save` result: text starts with etcdctl's own line ("Snapshot saved at <path>",
 * which scripts grep for) followed by what was saved, sizes in KiB/MiB like the progress bar
 * and the backup commands; json for scripts.
 */
import type { SaveSnapshotResult } from '../../backup/index.js';
import { stringifyExact } from './exact-json.js';
import { formatIecBytes } from './progress.js';

export const SAVE_FORMATS = ['text', 'json'] as const;
export type SaveFormat = (typeof SAVE_FORMATS)[number];

export function renderSnapshotSave(r: SaveSnapshotResult, format: SaveFormat): string {
  if (format === 'json') {
    return `${stringifyExact({
      path: r.path, sizeBytes: r.sizeBytes, revision: r.revision, sha256: r.sha256,
      memberId: r.memberId.toString(16), clusterId: r.clusterId.toString(16), endpoint: r.endpoint,
      etcdVersion: r.etcdVersion, durationMs: Math.round(r.durationMs),
    })}\n`;
  }
  return [
    `Snapshot saved at ${r.path}`,
    `  size:     ${formatIecBytes(r.sizeBytes)} (${r.sizeBytes} bytes)`,
    `  revision: ${r.revision}`,
    `  sha256:   ${r.sha256}`,
    `  member:   ${r.memberId.toString(16)} at ${r.endpoint} (etcd ${r.etcdVersion})`,
    `  took:     ${r.durationMs < 1000 ? `${Math.round(r.durationMs)} ms` : `${(r.durationMs / 1000).toFixed(1)} s`}`,
    '',
  ].join('\n');
}
