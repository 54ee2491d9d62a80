import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SnapshotRestoreReport } from '../../backup/index.js';
import { renderRestoreReport } from './snapshot-restore.js';

const report = (members: string[], dropped: string[]): SnapshotRestoreReport => ({
  dryRun: false,
  snapshot: { path: 'snap.db', sizeBytes: 20480, pageSize: 4096, hasTrailer: true, hashChecked: true, sha256: 'a'.repeat(64) },
  clusterId: 'cdf818194e3a8c32',
  token: 'etcd-cluster',
  members: members.map((id, i) => ({ name: `m${i}`, id, peerUrls: [`https://10.0.0.${i + 1}:2380`], local: i === 0 })),
  dataDir: '/var/lib/etcd-restored',
  walDir: '/var/lib/etcd-restored/member/wal',
  revision: { before: 10, after: 10, bumpedBy: 0, markedCompacted: false, kubernetes: false, explanation: 'Revisions kept.' },
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
