/**
 * `kubekeeper backup stream`: continuous deltas for point-in-time recovery. Watches the whole
 * keyspace from the last stored revision (or the newest full backup's) and writes a delta
 * segment every --flush-interval or --flush-size, compressed and encrypted like backups.
 * Exactly one streamer per cluster runs (an etcd election under /kubekeeper.io/); others wait.
 * After a compaction gap it takes a full backup itself. Runs until SIGINT/SIGTERM; logs JSON lines.
 */
import { DEFAULT_FLUSH_BYTES, DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_WATCH_POLL_MS, defaultWatchPollMs, loadBackupRecipients, saveBackup, snapshotSourceFromEtcd, streamDeltas } from '../../backup/index.js';
import { COMPRESSIONS, type Compression, defaultCompression } from '../../crypto/index.js';
import { connectEtcd } from '../../etcd/index.js';
import { UsageError } from '../../errors.js';
import { createJsonLogger } from '../../logger.js';
import { openRepositoryFromFlags, recipientFlags, recipientSources, repoFlags } from '../backup-flags.js';
import { defineCommand } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';

const MiB = 1024 * 1024;

export default defineCommand({
  name: 'backup stream',
  summary: 'Stream etcd changes into the repository as delta segments (point-in-time recovery)',
  flags: {
    ...etcdFlags,
    ...repoFlags,
    ...recipientFlags,
    'flush-interval': { type: 'duration', valueName: 'DURATION', description: `Write a segment at least this often (default ${DEFAULT_FLUSH_INTERVAL_MS / 1000}s)` },
    'flush-size-mib': { type: 'number', valueName: 'MIB', description: `Write a segment once this much is buffered (default ${DEFAULT_FLUSH_BYTES / MiB})` },
    'watch-poll': { type: 'duration', valueName: 'DURATION', description: `Longest wait between two watches of the keyspace: etcd sends what changed meanwhile in batches, far cheaper for a busy member than an open watch (default ${DEFAULT_WATCH_POLL_MS / 1000}s or --flush-interval if shorter; 0 holds one watch open)` },
    compression: { type: 'string', choices: COMPRESSIONS, valueName: 'ALGO', description: 'zstd, gzip or none (default zstd where Node has it, else gzip)' },
    'election-ttl': { type: 'duration', valueName: 'DURATION', description: 'Lease TTL of the streamer election: how long a dead streamer blocks another (default 30s)' },
    'no-full-backup': { type: 'boolean', description: 'After a compaction gap, stop instead of taking a full backup' },
  },
  details: [
    'Restore to a point with: kubekeeper snapshot restore --from-backup NAME --repo R --to-revision N | --to-time T ...',
    'Example: kubekeeper backup stream --endpoints https://127.0.0.1:2379 --cacert ca.crt --cert c.crt --key c.key \\',
    '  --repo s3://etcd-backups/prod --recipient age1... --signing-key /etc/kubekeeper/signing.key',
  ].join('\n'),
  async run({ flags, io, signal }) {
    const flushIntervalMs = flags['flush-interval'] ?? DEFAULT_FLUSH_INTERVAL_MS;
    if (flushIntervalMs < 100) throw new UsageError(`Invalid --flush-interval ${flushIntervalMs}ms: at least 100ms`, 'Pass --flush-interval 10s');
    const watchPollMs = flags['watch-poll'] ?? defaultWatchPollMs(flushIntervalMs);
    if (watchPollMs > flushIntervalMs) throw new UsageError(`Invalid --watch-poll ${watchPollMs}ms: longer than --flush-interval ${flushIntervalMs}ms`, 'Pass --watch-poll 1s (or 0)');
    const sizeMiB = flags['flush-size-mib'];
    if (sizeMiB !== undefined && !(sizeMiB > 0 && sizeMiB <= 1024)) throw new UsageError(`Invalid --flush-size-mib ${sizeMiB}: between 0 and 1024`, 'Pass --flush-size-mib 64');
    const recipients = await loadBackupRecipients(recipientSources(flags, io.env));
    if (recipients.length === 0 && !flags['insecure-no-encryption']) {
      throw new UsageError('Refusing to stream cluster data unencrypted', 'Pass --recipient age1... (or --insecure-no-encryption)');
    }
    const logger = createJsonLogger((line) => io.stdout.write(line));
    const repo = await openRepositoryFromFlags(flags, io.env, logger);
    const etcd = etcdOptionsFromFlags(flags);
    const client = await connectEtcd(etcd, signal);
    try {
      await streamDeltas({
        client, connect: () => connectEtcd(etcd, signal), repo, recipients, compression: (flags.compression as Compression | undefined) ?? defaultCompression(),
        flushIntervalMs, watchPollMs, flushBytes: sizeMiB === undefined ? DEFAULT_FLUSH_BYTES : Math.round(sizeMiB * MiB),
        electionTtlSeconds: flags['election-ttl'] === undefined ? undefined : Math.max(2, Math.round(flags['election-ttl'] / 1000)),
        commandTimeoutMs: etcd.commandTimeoutMs, signal, logger,
        takeFullBackup: flags['no-full-backup'] ? undefined : async () => {
          const saved = await saveBackup(repo, snapshotSourceFromEtcd(client), { recipients, allowUnencrypted: flags['insecure-no-encryption'], signal, logger });
          return saved.manifest.cluster.revision;
        },
      });
    } finally {
      client.close();
      await repo.backend.close();
    }
  },
});
