/**
 * Point-in-time recovery benchmark (bench/pitr.sh), first step: stores the snapshot file
 * `--snapshot` (as `etcdctl snapshot save` writes it, sha256 trailer included) as a full
 * backup `--name` in the local repository `--repo`, through kubekeeper's own save path
 * (saveBackup: trailer check, zstd, age to the key in `--key-file`, manifest), the snapshot
 * standing in for a live member's stream. Prints one JSON line: the backup's name, the
 * snapshot's last revision (the delta segments start after it) and the cluster ID.
 * Usage: node dist/bench/pitr-backup.js --snapshot FILE --repo DIR --key-file KEY [--name bench-full]
 */
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadBackupRecipients, openBackupRepository, openSnapshotFile, saveBackup, type SnapshotSource } from '../src/backup/index.js';
import { snapshotStatus } from '../src/snapshot/index.js';

const { values } = parseArgs({
  options: {
    snapshot: { type: 'string' },
    repo: { type: 'string', default: '.bench/pitr/repo' },
    'key-file': { type: 'string', default: '.bench/pitr/pitr-key.txt' },
    name: { type: 'string', default: 'bench-full' },
    'cluster-id': { type: 'string', default: 'cdf818194e3a8c32' },
  },
});
const snapshot = values.snapshot as string;
const file = await openSnapshotFile(snapshot);
const revision = Number(snapshotStatus(file.ra).revision);
await file.close();
const sizeBytes = (await stat(snapshot)).size;
const recipient = execFileSync('age-keygen', ['-y', values['key-file'] as string], { encoding: 'utf8' }).trim();
const recipients = await loadBackupRecipients({ recipients: [recipient] });
const repo = await openBackupRepository(values.repo as string);
const source: SnapshotSource = {
  describe: () => Promise.resolve({ endpoint: `file://${snapshot}`, clusterId: values['cluster-id'] as string, memberId: '1', etcdVersion: '3.6.17', revision, dbSizeBytes: sizeBytes }),
  snapshot: () => createReadStream(snapshot, { highWaterMark: 1024 * 1024 }),
};
const t0 = performance.now();
const saved = await saveBackup(repo, source, { name: values.name as string, recipients, reread: false });
await repo.backend.close();
console.log(JSON.stringify({
  name: saved.manifest.name, revision, clusterId: values['cluster-id'], snapshotMB: Math.round(sizeBytes / 1e6), storedMB: Math.round(saved.storedBytes / 1e6),
  saveSeconds: +((performance.now() - t0) / 1000).toFixed(1),
}));
