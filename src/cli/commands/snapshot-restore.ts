/**
 * `kubekeeper snapshot restore <file>`: a member data dir from a snapshot, offline and with no
 * etcd binary, with etcdctl/etcdutl's flags and defaults. Kubernetes-safe by default: a
 * snapshot with /registry/ keys gets its revision bumped and marked compacted unless
 * --bump-revision 0 is given. --dry-run prints the plan and writes nothing.
 */
import { type DeltaRestoreInput, restoreSnapshot } from '../../backup/index.js';
import { UsageError } from '../../errors.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { fromBackupFlags, withBackupFromFlags } from '../backup-flags.js';
import { createProgressBar } from '../output/progress.js';
import { pointInTimeFlags, pointInTimeTarget, withPointInTimeFromFlags } from '../point-in-time.js';
import { RESTORE_FORMATS, renderRestoreReport, type RestoreFormat } from '../output/snapshot-restore.js';

export default defineCommand({
  name: 'snapshot restore',
  summary: 'Restore a snapshot into a new member data dir (offline, Kubernetes-safe)',
  args: '<file>',
  // 0 with --from-backup NAME|latest (a backup fetched from --repo instead of a file).
  minArgs: 0,
  maxArgs: 1,
  flags: {
    'data-dir': { type: 'string', valueName: 'DIR', description: 'Directory to create (absent or empty); default "<name>.etcd"' },
    'wal-dir': { type: 'string', valueName: 'DIR', description: 'WAL directory (absent or empty); default <data-dir>/member/wal' },
    name: { type: 'string', default: 'default', description: 'This member\'s name, a key of --initial-cluster' },
    'initial-cluster': { type: 'string', default: 'default=http://localhost:2380', valueName: 'NAME=URL,...', description: 'Every member of the restored cluster' },
    'initial-cluster-token': { type: 'string', default: 'etcd-cluster', valueName: 'TOKEN', description: 'Token of the restored cluster (the same on every member)' },
    'initial-advertise-peer-urls': { type: 'string', default: 'http://localhost:2380', valueName: 'URLS', description: 'This member\'s peer URLs, comma-separated' },
    'skip-hash-check': { type: 'boolean', description: 'Restore without checking the sha256 trailer (needed for a member/snap/db copy)' },
    'bump-revision': { type: 'string', valueName: 'N', description: 'Add N to the latest revision (needs --mark-compacted); default 1000000000 for Kubernetes data, else 0' },
    'mark-compacted': { type: 'boolean', description: 'Mark the bumped revision compacted, so older watches get "compacted"' },
    'dry-run': { type: 'boolean', description: 'Verify the snapshot and print the plan; write nothing' },
    'kubeadm-manifest': { type: 'string', valueName: 'FILE', description: 'kubeadm etcd static pod manifest to point at the restored dir (e.g. /etc/kubernetes/manifests/etcd.yaml)' },
    'write-out': writeOutFlag(RESTORE_FORMATS, 'text'),
    ...fromBackupFlags,
    ...pointInTimeFlags,
  },
  details: [
    'The snapshot is verified first (sha256 trailer, bbolt structure, etcd data); the data dir is',
    'built in a hidden sibling directory and renamed into place, so a failure or Ctrl-C leaves',
    'nothing behind. Restore every member from the same snapshot with its own --name and',
    '--initial-advertise-peer-urls and the same --initial-cluster and --initial-cluster-token.',
    'Example (kubeadm, single control plane, kube-apiserver.yaml moved out of the manifests dir):',
    '  kubekeeper snapshot restore snap.db --data-dir /var/lib/etcd-restored --name cp1 \\',
    '    --initial-cluster cp1=https://10.0.0.1:2380 --initial-advertise-peer-urls https://10.0.0.1:2380 \\',
    '    --kubeadm-manifest /etc/kubernetes/manifests/etcd.yaml',
  ].join('\n'),
  async run({ args, flags, io, signal }) {
    if (pointInTimeTarget(flags)) {
      if (args.length > 0) throw new UsageError('--to-revision and --to-time restore from --from-backup, not from a file');
      return withPointInTimeFromFlags(flags, io.env, signal, (file, input) => this.run({
        args: [file], flags: { ...flags, 'from-backup': undefined, 'to-revision': undefined, 'to-time': undefined, pointInTime: input } as never, io, signal,
      }));
    }
    if (flags['from-backup'] !== undefined) {
      if (args.length > 0) throw new UsageError('Give a snapshot file or --from-backup, not both');
      // The backup is fetched and fully checked into a private temp dir, then restored like a
      // file. (`as never`: inside defineCommand, `this.run` sees the flags as its generic type.)
      return withBackupFromFlags(flags, io.env, signal, (file) => this.run({ args: [file], flags: { ...flags, 'from-backup': undefined } as never, io, signal }));
    }
    if (args.length !== 1) throw new UsageError('"kubekeeper snapshot restore" needs a snapshot file (or --from-backup NAME|latest)', 'Run "kubekeeper snapshot restore --help"');
    // Set by the --to-revision/--to-time branch above (not a command-line flag).
    const pointInTime = (flags as { pointInTime?: DeltaRestoreInput }).pointInTime;
    const bump = flags['bump-revision'];
    if (bump !== undefined && !/^\d+$/.test(bump)) throw new UsageError(`Invalid value for --bump-revision: "${bump}" is not a non-negative integer`);
    const progress = createProgressBar(io.stderr, io.stderrIsTTY, 'Restoring');
    const report = await restoreSnapshot({
      snapshotPath: args[0] as string,
      dataDir: flags['data-dir'] ?? `${flags.name}.etcd`,
      walDir: flags['wal-dir'],
      name: flags.name,
      initialCluster: flags['initial-cluster'],
      initialClusterToken: flags['initial-cluster-token'],
      initialAdvertisePeerUrls: flags['initial-advertise-peer-urls'].split(','),
      skipHashCheck: flags['skip-hash-check'],
      bumpRevision: bump === undefined ? undefined : BigInt(bump),
      markCompacted: flags['mark-compacted'],
      dryRun: flags['dry-run'],
      kubeadmManifest: flags['kubeadm-manifest'],
      ...(pointInTime ? { extraRevisions: pointInTime.extraRevisions, extraLeases: pointInTime.extraLeases } : {}),
    }, {
      signal, onProgress: (_phase, done, total) => progress.update(done, total),
      onLeftover: (l) => io.stderr.write(`kubekeeper: ${l.action === 'removed' ? 'removed' : 'found'} "${l.path}": ${l.reason}\n`),
    }).finally(() => progress.done());
    if (!pointInTime) {
      io.stdout.write(renderRestoreReport(report, flags['write-out'] as RestoreFormat));
      return;
    }
    const summary = { toRevision: pointInTime.toRevision, segments: pointInTime.segments, events: pointInTime.extraRevisions.length, leases: pointInTime.extraLeases.length, detachedKeys: pointInTime.detachedKeys };
    const text = renderRestoreReport(report, flags['write-out'] as RestoreFormat);
    io.stdout.write(flags['write-out'] === 'json'
      ? `${text.replace(/}\n$/, `,"pointInTime":${JSON.stringify(summary)}}\n`)}`
      : `${text}Point in time: revision ${summary.toRevision} from ${summary.segments} delta segment(s), ${summary.events} event(s), ${summary.leases} lease(s) recreated, ${summary.detachedKeys} key(s) detached from unrecorded leases\n`);
  },
});
