/**
 * `snapshot restore`: turns a snapshot file into a member data dir that etcd starts from,
 * offline (no etcd binary, no network). The order is the safety argument:
 * 1. validate the flags (etcd's rules) and refuse a non-empty --data-dir/--wal-dir, and an
 *    unrecognised --kubeadm-manifest, before reading the snapshot;
 * 2. in hidden temporary siblings of the targets: a worker copies the snapshot file (in the
 *    kernel) while this thread verifies its bbolt structure and etcd data and hashes the
 *    blocks it reads (sha256 trailer, snapshot-hash-along.ts); the walk also finds what the
 *    restore changes (restore-scan.ts);
 * 3. edit the copy copy-on-write (only members, meta, the revision bump and dropped reserved
 *    keys are rewritten, restore-edit.ts), write the WAL and .snap, fsync, wait for the
 *    sha256 to match, then rename into place; any failure or Ctrl-C removes what was built,
 *    so the target is either complete and verified, or absent;
 * 4. only then point the kubeadm manifest at the restored dir.
 * The source file is opened read-only and never modified.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import { AppError, throwIfAborted } from '../errors.js';
import {
  RestoreScan, explainBump, formatId, openBoltFile, planRestore, type AppendSource, type BoltFile, type RestorePlan,
} from '../snapshot/index.js';
import { openSnapshotFile, type SnapshotFile } from './snapshot-file.js';
import { applyManifestEdit, prepareManifestEdit, type ManifestReport, type PreparedManifestEdit } from './snapshot-restore-manifest.js';
import {
  DIR_MODE, checkTargetEmpty, commitStaged, discard, fsError, fsyncDir, stageDir, uncommitStaged, type StagedDir,
} from './snapshot-restore-target.js';
import type { LeftoverListener } from './leftovers.js';
import { type PendingVerification, type SourceCheck, startVerifyForRestore } from './snapshot-restore-verify.js';
import {
  checkDbSpace, checkWalSpace, createDbFile, editDb, openCopiedDb, syncFile, writeWalAndSnap, type DbWriteResult,
} from './snapshot-restore-write.js';
import { crashPoint } from '../crash-point.js';

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
  /**
   * Point-in-time restore (cli/point-in-time.ts): key-bucket records to append after the
   * snapshot's last revision (ascending; those the snapshot already holds are skipped) and
   * lease-bucket records to add (ascending by ID).
   */
  extraRevisions?: AppendSource;
  extraLeases?: readonly { key: Uint8Array; value: Uint8Array }[];
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
    const base = { file, plan, dataDir, walDir, walInside, manifest, durable: options.durable ?? true, options };
    return options.dryRun ? await dryRun(base, context) : await restore(base, context);
  } finally {
    await file.close();
  }
}

/** The point-in-time records of the options, for editDb. */
function pointInTimeOf(options: SnapshotRestoreOptions): Parameters<typeof editDb>[5] {
  return { extraRevisions: options.extraRevisions, extraLeases: options.extraLeases };
}

interface Prepared {
  file: SnapshotFile;
  plan: RestorePlan;
  dataDir: string;
  walDir: string;
  walInside: boolean;
  manifest: PreparedManifestEdit | undefined;
  durable: boolean;
  options: SnapshotRestoreOptions;
}

/** What the verification walk found, with the hash still running. */
interface Verified {
  verification: PendingVerification;
  scan: RestoreScan;
  source: BoltFile;
}

/**
 * Verifies the snapshot's structure and data in one walk that also collects what the restore
 * changes (restore-scan.ts); the sha256 goes on hashing on its worker, which also copies the
 * snapshot to `copyTo` when given.
 */
async function verify(p: Prepared, context: SnapshotRestoreContext, copyTo?: string): Promise<Verified> {
  const scan = new RestoreScan();
  const verification = await startVerifyForRestore(p.file.path, p.file.ra, p.options.skipHashCheck, {
    signal: context.signal, expectedSha256: p.options.expectedSha256, visitor: scan, ...(copyTo !== undefined ? { copyTo, durable: p.durable } : {}),
  });
  try {
    throwIfAborted(context.signal, 'The restore');
    return { verification, scan, source: openBoltFile(p.file.ra) };
  } catch (err) {
    await verification.cancel();
    throw err;
  }
}

async function dryRun(p: Prepared, context: SnapshotRestoreContext): Promise<SnapshotRestoreReport> {
  const v = await verify(p, context);
  let finished = false;
  try {
    const db = editDb(undefined, p.file.path, v.source, v.scan, p.plan, pointInTimeOf(p.options));
    context.onProgress?.('write', db.sizeBytes, p.file.sizeBytes);
    const check = await v.verification.finish();
    finished = true;
    return report(p, v.source.pageSize, check, db, true, filesOf(p, db.sizeBytes), p.manifest?.report(true));
  } finally {
    if (!finished) await v.verification.cancel();
  }
}

async function restore(p: Prepared, context: SnapshotRestoreContext): Promise<SnapshotRestoreReport> {
  const cleanups: { staged: StagedDir | undefined; parents: string[] }[] = [];
  let v: Verified | undefined;
  let finished = false;
  try {
    // The output is staged first; then the worker copies the snapshot into it (in the kernel,
    // flushed as it grows) and hashes it while this thread walks it: nothing is visible until
    // all three agree.
    const out = await stageOutput(p, cleanups);
    const { data, wal, stagedWal, snapDir, dbFile } = out;
    await createDbFile(dbFile);
    v = await verify(p, context, dbFile);
    // Not synced here: the fsyncs run together with the db's on the thread pool below.
    const small = await writeWalAndSnap(p.plan, stagedWal, snapDir, p.durable);
    await v.verification.copied;
    throwIfAborted(context.signal, 'The restore');
    const handle = await openCopiedDb(dbFile, v.source.pgid * v.source.pageSize);
    let db: DbWriteResult;
    try {
      // The copied pages are on disk (the worker flushed them as it copied); the WAL and
      // .snap go while the edit is written past the copy.
      const flushing = p.durable ? [syncFile(small.walFile), syncFile(small.snapFile)] : [];
      for (const task of flushing) task.catch(() => undefined);
      db = editDb(handle.fd, dbFile, v.source, v.scan, p.plan, pointInTimeOf(p.options));
      if (p.durable) {
        await Promise.all(flushing);
        await handle.sync();
      }
    } catch (err) {
      throw err instanceof AppError ? err : fsError('syncing', dbFile, err);
    } finally {
      await handle.close();
    }
    context.onProgress?.('write', db.sizeBytes, p.file.sizeBytes);
    crashPoint('restore.staged');
    if (p.durable) for (const dir of [snapDir, path.dirname(snapDir), stagedWal, data.staged.temp]) fsyncDir(dir);
    // The sha256 hashed on its worker while the files were built: nothing is visible yet.
    const check = await v.verification.finish();
    finished = true;
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
    return report(p, v.source.pageSize, check, db, false, filesOf(p, db.sizeBytes), manifest);
  } finally {
    // A copy still running writes into the staged dir: cancel lets it end before the dir goes.
    if (v && !finished) await v.verification.cancel();
    for (const c of cleanups.reverse()) await discard(c.staged, c.parents);
  }
}

interface StagedOutput {
  data: StagedTarget;
  wal: StagedTarget | undefined;
  /** Where the WAL is built: in the staged data dir, or the staged WAL dir. */
  stagedWal: string;
  snapDir: string;
  dbFile: string;
}

type StagedTarget = Awaited<ReturnType<typeof stageDir>>;

/** The hidden siblings of the targets, with member/snap and the WAL dir, after the space checks. */
async function stageOutput(p: Prepared, cleanups: { staged: StagedDir | undefined; parents: string[] }[]): Promise<StagedOutput> {
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
  await checkDbSpace(p.plan, snapDir, p.file.sizeBytes);
  return { data, wal, stagedWal, snapDir, dbFile: path.join(snapDir, 'db') };
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
  pageSize: number,
  check: SourceCheck,
  db: DbWriteResult,
  dryRun: boolean,
  files: RestoredFile[],
  manifest: ManifestReport | undefined,
): SnapshotRestoreReport {
  const { cluster } = p.plan;
  return {
    dryRun,
    snapshot: { path: p.file.path, sizeBytes: p.file.sizeBytes, pageSize, ...check },
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
