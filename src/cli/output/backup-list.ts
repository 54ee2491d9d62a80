/**
 * `backup list` and `backup show` output: a table (etcdctl style) or JSON for scripts.
 * Times are UTC; sizes in IEC units in tables and exact bytes in JSON.
 */
import { type BackupEntry, type BackupListing, type Manifest, describeSignature } from '../../backup/index.js';
import { formatIecBytes } from './progress.js';
import { renderTable } from './table.js';

export const LIST_FORMATS = ['table', 'json'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];
export const SHOW_FORMATS = ['text', 'json'] as const;
export type ShowFormat = (typeof SHOW_FORMATS)[number];

/** "2024-05-10 12:00:00" (UTC). */
export function formatTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** "3d 4h", "2h 5m", "40s": an age for humans. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

function storedBytes(m: Manifest): number {
  return m.objects.reduce((n, o) => n + o.sizeBytes, 0);
}

function encryptionLabel(m: Manifest): string {
  return m.encryption.scheme === 'age' ? `age (${m.encryption.recipients.length})` : 'none';
}

export function renderBackupList(location: string, listing: BackupListing, format: ListFormat, now: Date = new Date()): string {
  const uploads = listing.unfinishedUploads;
  const uploadsError = listing.unfinishedUploadsError;
  const temporaries = listing.temporaries ?? [];
  if (format === 'json') {
    return `${JSON.stringify({ repository: location, backups: listing.backups, orphans: listing.orphans, temporaries, ...(uploads ? { unfinishedUploads: uploads } : {}), ...(uploadsError ? { unfinishedUploadsError: uploadsError } : {}) })}\n`;
  }
  const notes = temporaries.map((t) => `temporary file of an unfinished save "${t.path}" (${formatIecBytes(t.sizeBytes)}): ${t.reason}\n`).join('');
  if (listing.backups.length === 0 && listing.orphans.length === 0 && !uploads?.length && !uploadsError) return `No backups in "${location}"\n${notes}`;
  const rows = listing.backups.map((b) => {
    const m = b.manifest;
    return m
      ? [b.name, formatTime(m.createdAt), b.status, formatIecBytes(m.snapshot.sizeBytes), formatIecBytes(storedBytes(m)), String(m.cluster.revision), m.cluster.clusterId, encryptionLabel(m), m.bundle ? 'yes' : 'no', b.signature ? describeSignature(b.signature) : '-']
      : [b.name, '-', b.status, '-', '-', '-', '-', '-', '-', '-'];
  });
  let out = rows.length === 0 ? `No backups in "${location}"\n`
    : renderTable(['name', 'created (utc)', 'status', 'snapshot', 'stored', 'revision', 'cluster id', 'encryption', 'bundle', 'signature'], rows, { align: 'left' });
  for (const b of listing.backups.filter((x) => x.status !== 'ok')) out += `${b.name}: ${b.status}: ${b.problems.join('; ')}\n`;
  if (listing.orphans.length > 0) {
    const bytes = listing.orphans.reduce((n, o) => n + o.sizeBytes, 0);
    out += `${listing.orphans.length} data object(s) without a manifest (${formatIecBytes(bytes)}, interrupted saves; not backups): "kubekeeper backup prune" removes them after 24h\n`;
  }
  if (uploadsError) out += `unfinished uploads not listed: ${uploadsError}\n`;
  for (const u of uploads ?? []) {
    const age = u.startedAt ? ` started ${formatTime(u.startedAt.toISOString())} UTC (${formatAge(now.getTime() - u.startedAt.getTime())} ago)` : '';
    out += `unfinished upload of "${u.object}"${age}, ID ${u.uploadId}: parts are billed until "kubekeeper backup prune" aborts it (after 24h)\n`;
  }
  return out + notes;
}

export function renderBackupShow(entry: BackupEntry & { manifest: Manifest }, format: ShowFormat): string {
  const m = entry.manifest;
  if (format === 'json') return `${JSON.stringify({ name: entry.name, status: entry.status, problems: entry.problems, manifest: m })}\n`;
  const lines = [
    `Name:          ${m.name}`,
    `Status:        ${entry.status}${entry.problems.length ? ` (${entry.problems.join('; ')})` : ''}`,
    `Created:       ${formatTime(m.createdAt)} UTC (stored and re-checked ${formatTime(m.completedAt)})`,
    `Cluster ID:    ${m.cluster.clusterId}`,
    `Member:        ${m.cluster.memberId}${m.cluster.memberName ? ` (${m.cluster.memberName})` : ''} at ${m.cluster.endpoint}`,
    `etcd version:  ${m.cluster.etcdVersion}`,
    `Revision:      ${m.cluster.revision}`,
    `Snapshot:      ${m.snapshot.sizeBytes} bytes, sha256 ${m.snapshot.sha256}`,
    `Compression:   ${m.compression}`,
    `Encryption:    ${m.encryption.scheme === 'age' ? `age, recipients ${m.encryption.recipients.join(', ')}` : 'none'}`,
    `kubekeeper:    ${m.kubekeeperVersion}`,
    'Objects:',
    ...m.objects.map((o) => `  ${o.role.padEnd(8)} ${o.name}  ${o.sizeBytes} bytes  sha256 ${o.sha256}`),
  ];
  if (m.bundle) {
    lines.push(`Bundle files (${m.bundle.files.length}):`);
    lines.push(...m.bundle.files.map((f) => `  ${f.mode.toString(8).padStart(4, '0')} ${f.type === 'symlink' ? `${f.path} -> ${f.linkTarget}` : f.path}${f.type === 'file' ? `  ${f.sizeBytes} bytes` : ''}`));
  }
  return `${lines.join('\n')}\n`;
}
