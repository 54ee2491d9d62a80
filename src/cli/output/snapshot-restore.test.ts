import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SnapshotRestoreReport } from '../../backup/index.js';
import { renderRestoreReport } from './snapshot-restore.js';

const report = (members: string[], dropped: string[]): SnapshotRestoreReport => ({
  dryRun: false,
  snapshot: { path: 'snap.db', sizeBytes: 20480, pageSize: 4096, hasTrailer: true, hashChecked: true, sha256: 'a'.repeat(64), warnings: [] },
  clusterId: 'cdf818194e3a8c32',
  token: 'etcd-cluster',
  members: members.map((id, i) => ({ name: `m${i}`, id, peerUrls: [`https://10.0.0.${i + 1}:2380`], local: i === 0 })),
  dataDir: '/var/lib/etcd-restored',
  walDir: '/var/lib/etcd-restored/member/wal',
  warnings: [],
  revision: { before: 10n, after: 10n, bumpedBy: 0n, markedCompacted: false, kubernetes: false, explanation: 'Revisions kept.' },
  droppedMembers: dropped,
  files: [],
});

test('restore output does not call the new member itself a removed old member', () => {
  // The snapshot came from this very member (same name, peer URL, token): its ID is dropped and written again.
  const same = renderRestoreReport(report(['bfa662a143c3685'], ['0bfa662a143c3685']), 'text');
  assert.doesNotMatch(same, /removed/);
  assert.match(same, /^Membership rewritten for the new cluster: 0bfa662a143c3685 \(same member ID as before\)\.$/m);
  const other = renderRestoreReport(report(['bfa662a143c3685'], ['8e9e05c52164694d', 'bfa662a143c3685']), 'text');
  assert.match(other, /^Old cluster members removed from the db: 8e9e05c52164694d\.$/m);
  assert.match(other, /^Membership rewritten for the new cluster: bfa662a143c3685 /m);
});

test('restore output prints each warning and -w json prints revisions above 2^53 exactly', () => {
  const r = { ...report(['bfa662a143c3685'], []), warnings: ['The snapshot carries the NOSPACE alarm of member 8e9e05c52164694d; it is carried over'] };
  r.revision = { ...r.revision, before: 3n, after: 9223370937343148031n, bumpedBy: 9223370937343148028n, markedCompacted: true };
  assert.match(renderRestoreReport(r, 'text'), /^Warning: The snapshot carries the NOSPACE alarm of member 8e9e05c52164694d; it is carried over\.$/m);
  assert.match(renderRestoreReport(r, 'json'), /"revision":\{"before":3,"after":9223370937343148031,"bumpedBy":9223370937343148028,"markedCompacted":true,/);
});
