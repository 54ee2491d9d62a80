/**
 * `snapshot restore --from-backup NAME --to-revision R | --to-time T`: the flags, and the
 * steps before the restore writes anything: the delta chain is planned and its manifests
 * checked (a broken chain fails here, before the download), the full backup is fetched and
 * checked while every segment is read with its hashes checked, and only then is the restore
 * run with the extra key-bucket and lease records.
 */
import { type DeltaRestoreInput, loadBackupIdentities, startDeltaRestore, withBackupSnapshot } from '../backup/index.js';
import { UsageError } from '../errors.js';
import { type fromBackupFlags, identitySources, openRepositoryFromFlags, s3Overrides } from './backup-flags.js';
import type { FlagDef, FlagValues } from './command.js';

export const pointInTimeFlags = {
  'to-revision': { type: 'string', valueName: 'N', description: 'With --from-backup: restore to etcd revision N, replaying the delta segments "backup stream" stored' },
  'to-time': { type: 'string', valueName: 'TIME', description: 'With --from-backup: restore to the last revision the streamer received at or before TIME (RFC 3339; 1 s precision)' },
} as const satisfies Record<string, FlagDef>;

type Flags = FlagValues<typeof fromBackupFlags> & FlagValues<typeof pointInTimeFlags>;

/** The target from the flags, or undefined when neither flag is given. */
export function pointInTimeTarget(flags: FlagValues<typeof pointInTimeFlags>): { toRevision?: number; toTime?: Date } | undefined {
  const rev = flags['to-revision'];
  const time = flags['to-time'];
  if (rev === undefined && time === undefined) return undefined;
  if (rev !== undefined && time !== undefined) throw new UsageError('Give --to-revision or --to-time, not both');
  if (rev !== undefined) {
    if (!/^\d{1,15}$/.test(rev)) throw new UsageError(`Invalid --to-revision "${rev}": a revision number`, 'Pass --to-revision 123456 ("kubekeeper backup list" shows the restorable range)');
    return { toRevision: Number(rev) };
  }
  const t = Date.parse(time as string);
  if (!Number.isFinite(t)) throw new UsageError(`Invalid --to-time "${time}": not a time`, 'Pass --to-time 2026-12-06T01:30:00Z');
  return { toTime: new Date(t) };
}

/** Runs `work` with the fetched snapshot and the checked delta records (see the file comment). */
export async function withPointInTimeFromFlags<T>(flags: Flags, env: NodeJS.ProcessEnv, signal: AbortSignal, work: (snapshotPath: string, input: DeltaRestoreInput) => Promise<T>): Promise<T> {
  const ref = flags['from-backup'];
  const target = pointInTimeTarget(flags);
  if (!ref || !target) throw new UsageError('--to-revision and --to-time need --from-backup NAME|latest', 'Pass --from-backup NAME --repo R');
  const keys = identitySources(flags, env);
  const identities = await loadBackupIdentities(keys);
  const repo = await openRepositoryFromFlags(flags, env);
  try {
    const full = await repo.resolve(ref, signal);
    // The chain is checked before the download (a broken one fails fast, naming the segment),
    // and its segments are read on a worker thread while the full backup downloads.
    const deltas = await startDeltaRestore(repo, full, target, identities, signal, { location: flags.repo, s3: s3Overrides(flags), env, keys });
    try {
      return await withBackupSnapshot(repo, full.name, identities, async (file) => work(file.path, await deltas.finish(file.path)), { signal: deltas.downloadSignal });
    } catch (err) {
      // A download stopped by a failed segment reports the segment's error; any other failure
      // stops the segments' read and is reported itself.
      const segmentError = deltas.failure();
      if (segmentError !== undefined) throw segmentError;
      deltas.cancel();
      throw err;
    }
  } finally {
    await repo.backend.close();
  }
}
