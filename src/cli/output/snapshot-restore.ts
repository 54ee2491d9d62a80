/**
 * How `snapshot restore` shows its plan (--dry-run) or result: who the new cluster's members
 * are, what happened to the revision and why, which files were written, the manifest diff.
 * `-w json` prints the report object itself for scripts.
 */
import type { SnapshotRestoreReport } from '../../backup/index.js';
import { stringifyExact } from './exact-json.js';
import { formatIecBytes } from './progress.js';
import { renderTable } from './table.js';

export const RESTORE_FORMATS = ['text', 'json'] as const;
export type RestoreFormat = (typeof RESTORE_FORMATS)[number];

/**
 * The old membership records the restore dropped. A record with the ID of a member of the new
 * cluster (same name, peer URLs and token as the member the snapshot came from) is replaced,
 * not removed: saying it was "removed" would read as if this member were gone.
 */
function droppedMembersLines(report: SnapshotRestoreReport): string[] {
  const id = (hex: string) => BigInt(`0x${hex}`);
  const current = new Set(report.members.map((m) => id(m.id)));
  const removed = report.droppedMembers.filter((m) => !current.has(id(m)));
  const rewritten = report.droppedMembers.filter((m) => current.has(id(m)));
  const lines: string[] = [];
  if (removed.length > 0) lines.push(`Old cluster members removed from the db: ${removed.join(', ')}.`);
  if (rewritten.length > 0) lines.push(`Membership rewritten for the new cluster: ${rewritten.join(', ')} (same member ID as before).`);
  return lines;
}

export function renderRestoreReport(report: SnapshotRestoreReport, format: RestoreFormat): string {
  if (format === 'json') return `${stringifyExact(report)}\n`;
  const lines: string[] = [];
  const { snapshot, revision } = report;
  const wal = report.walDir.startsWith(`${report.dataDir}/`) ? '' : ` (WAL in ${report.walDir})`;
  lines.push(report.dryRun
    ? `Dry run: nothing was written. Restoring "${snapshot.path}" would create ${report.dataDir}${wal}.`
    : `Restored "${snapshot.path}" into ${report.dataDir}${wal}.`);
  const hash = snapshot.hashChecked ? `sha256 ${snapshot.sha256 ?? ''} verified` : snapshot.hasTrailer ? 'sha256 not checked (--skip-hash-check)' : 'no sha256 trailer (--skip-hash-check)';
  lines.push(`Snapshot: ${formatIecBytes(snapshot.sizeBytes)}, ${hash}, bbolt structure and etcd data verified.`);
  const local = report.members.find((m) => m.local);
  lines.push(`New cluster ${report.clusterId} (token "${report.token}"); this member: ${local?.name ?? ''} (${local?.id ?? ''}).`);
  lines.push(renderTable(['ID', 'Name', 'Peer URLs'], report.members.map((m) => [m.id, m.name, m.peerUrls.join(',')]), { align: 'left' }).trimEnd());
  lines.push(revision.explanation);
  for (const w of report.warnings) lines.push(`Warning: ${w}.`);
  lines.push(...droppedMembersLines(report));
  lines.push(report.dryRun ? 'Files to be written:' : 'Files written:');
  for (const f of report.files) lines.push(`  ${f.path}  ${formatIecBytes(f.sizeBytes)}`);
  const m = report.manifest;
  if (m) {
    if (m.changes.length === 0) lines.push(`Manifest ${m.path} already points at ${report.dataDir}; unchanged.`);
    else {
      lines.push(report.dryRun
        ? `Manifest ${m.path} would be updated (original kept as ${m.backupPath ?? ''}):`
        : `Manifest ${m.path} updated; the original is kept as ${m.backupPath ?? ''}. kubelet restarts etcd from the restored dir.`);
      lines.push(m.diff.trimEnd());
    }
  }
  if (!report.dryRun) lines.push(`Start etcd with --data-dir ${report.dataDir}${wal ? ` --wal-dir ${report.walDir}` : ''} --name ${local?.name ?? ''} and the same --initial-cluster.`);
  return `${lines.join('\n')}\n`;
}
