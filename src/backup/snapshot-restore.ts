/**
 * `snapshot restore`: turns a snapshot file into a member data dir that etcd starts from,
 * offline (no etcd binary, no network). The order is the safety argument:
 * 1. validate the flags (etcd's rules) and refuse a non-empty --data-dir/--wal-dir, and an
 *    unrecognised --kubeadm-manifest, before reading the snapshot;
 * 2. verify the snapshot's bbolt structure and etcd data before creating anything; its
 *    sha256 trailer is hashed on a worker meanwhile;
 * 3. build everything in hidden temporary siblings, fsync, wait for the sha256 to match, then
 *    rename into place; any failure or Ctrl-C removes what was built, so the target is
 *    either complete and verified, or absent;
 * 4. only then point the kubeadm manifest at the restored dir.
 * The source file is opened read-only and never modified.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import { AppError, throwIfAborted } from '../errors.js';
import {
  explainBump, formatId, openRestoreSource, planRestore, type RestorePlan, type RestoreSource,
} from '../snapshot/index.js';
import { openSnapshotFile } from './snapshot-file.js';
import { applyManifestEdit, prepareManifestEdit, type ManifestReport, type PreparedManifestEdit } from './snapshot-restore-manifest.js';
import {
  DIR_MODE, checkTargetEmpty, commitStaged, discard, fsError, fsyncDir, stageDir, uncommitStaged, type StagedDir,
} from './snapshot-restore-target.js';
import type { LeftoverListener } from './leftovers.js';
import { type PendingVerification, type SourceCheck, startVerifyForRestore } from './snapshot-restore-verify.js';
import { checkWalSpace, writeDb, writeWalAndSnap } from './snapshot-restore-write.js';

export interface SnapshotRestoreOptions {
  snapshotPath: string;
  /** `--data-dir`; etcdctl's default is "<name>.etcd". */
  dataDir: string;
  /** `--wal-dir`; default `<data-dir>/member/wal`. */
  walDir?: string;
  name: string;
  initialCluster: string;
  initialClusterToken: string;
  initialAdvertisePeerUrls: string[];
  skipHashCheck: boolean;
  /**
   * Hex sha256 the bbolt image must have, recorded elsewhere (a backup manifest's
   * `snapshot.dbSha256`): the image is hashed as usual and must equal both its trailer and
   * this, before anything is written. Lets a drill download without hashing the content.
   */
  expectedSha256?: string;
  /** undefined = Kubernetes-safe default (bump 1e9 + mark compacted when /registry/ keys exist). */
  bumpRevision?: bigint;
  markCompacted: boolean;
  dryRun: boolean;
  /** kubeadm etcd static pod manifest to point at the restored dir. */
  kubeadmManifest?: string;
  /**
   * fsync what is written (default true). false only for a throwaway data dir (a drill's):
   * the same bytes and the same atomic rename, without waiting for the disk.
   */
  durable?: boolean;
}

export type RestorePhase = 'verify' | 'write';

export interface SnapshotRestoreContext {
  signal?: AbortSignal;
  onProgress?: (phase: RestorePhase, doneBytes: number, totalBytes: number) => void;
  /** Told about staging dirs of killed restores found (and removed when their owner is gone). */
  onLeftover?: LeftoverListener;
}

export interface RestoredFile {
  path: string;
  sizeBytes: number;
}

/** What was (or, with dryRun, would be) done. IDs are unpadded hex as etcd prints them. */
export interface SnapshotRestoreReport {
  dryRun: boolean;
  snapshot: { path: string; sizeBytes: number; pageSize: number } & SourceCheck;
  clusterId: string;
  token: string;
  members: { name: string; id: string; peerUrls: string[]; local: boolean }[];
  dataDir: string;
  walDir: string;
  /** What the user must know although the restore succeeded (tolerated damage, carried alarms). */
  warnings: string[];
  revision: { before: bigint; after: bigint; bumpedBy: bigint; markedCompacted: boolean; kubernetes: boolean; explanation: string };
  /** Members of the old cluster dropped from the db (hex IDs). */
  droppedMembers: string[];
  files: RestoredFile[];
  manifest?: ManifestReport;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Restores `options.snapshotPath`; see the file comment for the order of steps. */
export async function restoreSnapshot(options: SnapshotRestoreOptions, context: SnapshotRestoreContext = {}): Promise<SnapshotRestoreReport> {
  const { signal } = context;
  const plan = planRestore(options);
  const dataDir = path.resolve(options.dataDir);
  const walDir = path.resolve(options.walDir ?? path.join(dataDir, 'member', 'wal'));
  const walInside = isInside(walDir, dataDir);
  if (walDir === dataDir || isInside(dataDir, walDir)) {
    throw new AppError('restore-wal-dir', `Cannot restore: --wal-dir "${walDir}" contains --data-dir "${dataDir}"`, { hint: 'Use a WAL dir outside the data dir, or leave --wal-dir unset' });
  }
  await checkTargetEmpty(options.snapshotPath, dataDir, 'data dir', context.onLeftover);
  if (!walInside) await checkTargetEmpty(options.snapshotPath, walDir, 'WAL dir', context.onLeftover);
  const manifest = options.kubeadmManifest === undefined ? undefined : await prepareManifestEdit(options.kubeadmManifest, dataDir);

  const file = await openSnapshotFile(options.snapshotPath);
  try {
    const verification = await startVerifyForRestore(file.path, file.ra, options.skipHashCheck, { signal, expectedSha256: options.expectedSha256 });
    let finished = false;
    try {
      throwIfAborted(signal, 'The restore');
      const source = openRestoreSource(file.ra);
      const base = { file, verification, source, plan, dataDir, walDir, walInside, manifest, durable: options.durable ?? true };
      const result = options.dryRun ? await dryRun(base, context) : await restore(base, context);
      finished = true;
      return result;
    } finally {
      if (!finished) verification.cancel();
    }
  } finally {
    await file.close();
  }
}

interface Prepared {
  file: { path: string; sizeBytes: number };
  /** Structure checked; the hash is awaited before anything becomes visible. */
  verification: PendingVerification;
  source: RestoreSource;
  plan: RestorePlan;
  dataDir: string;
  walDir: string;
  walInside: boolean;
  manifest: PreparedManifestEdit | undefined;
  durable: boolean;
}

async function dryRun(p: Prepared, context: SnapshotRestoreContext): Promise<SnapshotRestoreReport> {
  const db = await writeDb(undefined, p.source, p.plan, {
    signal: context.signal,
    onProgress: ({ doneBytes }) => context.onProgress?.('write', doneBytes, p.file.sizeBytes),
  });
  const check = await p.verification.finish();
  return report(p, check, db, true, filesOf(p, db.sizeBytes), p.manifest?.report(true));
}

async function restore(p: Prepared, context: SnapshotRestoreContext): Promise<SnapshotRestoreReport> {
  const cleanups: { staged: StagedDir | undefined; parents: string[] }[] = [];
  try {
    const data = await stageDir(p.dataDir);
    cleanups.push({ staged: data.staged, parents: data.createdParents });
    const wal = p.walInside ? undefined : await stageDir(p.walDir);
    if (wal) cleanups.push({ staged: wal.staged, parents: wal.createdParents });
    // Inside the staged data dir: member/snap, and member/wal unless the WAL lives elsewhere.
    const stagedWal = wal ? wal.staged.temp : path.join(data.staged.temp, path.relative(p.dataDir, p.walDir));
    const snapDir = path.join(data.staged.temp, 'member', 'snap');
    for (const dir of [snapDir, stagedWal]) {
      await mkdir(dir, { recursive: true, mode: DIR_MODE }).catch((err: unknown) => { throw fsError('creating', dir, err); });
    }
    if (wal) await checkWalSpace(p.plan, wal.staged.temp);
    const db = await writeDb(path.join(snapDir, 'db'), p.source, p.plan, {
      signal: context.signal,
      onProgress: ({ doneBytes }) => context.onProgress?.('write', doneBytes, p.file.sizeBytes),
      durable: p.durable,
      expectedBytes: p.file.sizeBytes,
    });
    writeWalAndSnap(p.plan, stagedWal, snapDir, p.durable);
    if (p.durable) for (const dir of [snapDir, path.dirname(snapDir), stagedWal, data.staged.temp]) fsyncDir(dir);
    // The sha256 hashed on its worker while the files were built: nothing is visible yet.
    const check = await p.verification.finish();
    // Last chance to stop: let a pending SIGINT reach its handler before the point of no return.
    await nextTick();
    throwIfAborted(context.signal, 'The restore');
    // The WAL first: a data dir without its WAL would not start, a WAL alone is inert.
    if (wal) await commitStaged(wal.staged, p.durable);
    try {
      await commitStaged(data.staged, p.durable);
    } catch (err) {
      if (wal) await uncommitStaged(wal.staged).catch(() => undefined);
      throw err;
    }
    cleanups.length = 0;
    const manifest = p.manifest ? await applyManifestEdit(p.manifest) : undefined;
    return report(p, check, db, false, filesOf(p, db.sizeBytes), manifest);
  } finally {
    for (const c of cleanups.reverse()) await discard(c.staged, c.parents);
  }
}

function filesOf(p: Prepared, dbBytes: number) {
  const snapDir = path.join(p.dataDir, 'member', 'snap');
  return [
    { path: path.join(snapDir, 'db'), sizeBytes: dbBytes },
    { path: path.join(snapDir, p.plan.snap.name), sizeBytes: p.plan.snap.bytes.length },
    { path: path.join(p.walDir, p.plan.wal.name), sizeBytes: p.plan.wal.sizeBytes },
  ];
}

function report(
  p: Prepared,
  check: SourceCheck,
  db: Awaited<ReturnType<typeof writeDb>>,
  dryRun: boolean,
  files: RestoredFile[],
  manifest: ManifestReport | undefined,
): SnapshotRestoreReport {
  const { cluster } = p.plan;
  return {
    dryRun,
    snapshot: { path: p.file.path, sizeBytes: p.file.sizeBytes, pageSize: p.source.pageSize, ...check },
    clusterId: formatId(cluster.clusterId),
    token: cluster.token,
    members: cluster.members.map((m) => ({ name: m.name, id: formatId(m.id), peerUrls: m.peerUrls, local: m === cluster.local })),
    dataDir: p.dataDir,
    walDir: p.walDir,
    revision: {
      before: db.revisionBefore,
      after: db.revisionAfter,
      bumpedBy: db.bumpedBy,
      markedCompacted: db.bumpedBy > 0n,
      kubernetes: db.kubernetes,
      explanation: explainBump(p.plan.bump, db),
    },
    warnings: [...check.warnings, ...db.alarms.map((a) => alarmWarning(a))],
    droppedMembers: db.droppedMembers,
    files,
    ...(manifest ? { manifest } : {}),
  };
}

/** A carried-over alarm, and what it does to the restored cluster. */
function alarmWarning(a: { memberId: string; alarm: string }): string {
  const effect = a.alarm === 'NOSPACE'
    ? 'etcd starts with it active and refuses writes until space is freed (compact, defrag) and "etcdctl alarm disarm" is run'
    : 'etcd starts with it active until "etcdctl alarm disarm" is run';
  return `The snapshot carries the ${a.alarm} alarm of member ${a.memberId}; it is carried over (as etcdutl does): ${effect}`;
}
