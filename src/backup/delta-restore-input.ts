/**
 * What a point-in-time restore hands the db writer: the key-bucket records of the deltas
 * after the full backup up to the target, and the lease records to add (per the lease rule
 * in delta-entries.ts: leases the stream recorded that the snapshot lacks). Built after the
 * whole chain was checked (planDeltaRestore) and every segment read with its hashes checked
 * (collectDeltaRestore), before the restore writes anything; startDeltaRestore reads the
 * segments while the full backup downloads. Records at or before the
 * snapshot's own last revision (a write between the backup's status call and its snapshot)
 * are the writer's to skip: it knows that revision from its own walk.
 */
import type { Identity } from '../crypto/index.js';
import { type AppendRecords, decodeLease, openBolt } from '../snapshot/index.js';
import type { LeaseBucketEntry } from './delta-entries.js';
import type { DeltaEntryCollector } from './delta-replay.js';
import { type DeltaRestorePlan, type DeltaTarget, collectDeltaRestore, planDeltaRestore } from './delta-restore.js';
import { collectDeltaRestoreOnWorker } from './delta-worker.js';
import type { DeltaWorkerSource } from './delta-worker-codec.js';
import type { Manifest } from './manifest.js';
import type { BackupRepository } from './repository.js';
import { openSnapshotFile } from './snapshot-file.js';

export interface DeltaRestoreInput {
  /** The revision the restore reaches. */
  toRevision: number;
  /** Key-bucket records after the full backup's revision, ascending (AppendRecords: no object per record). */
  extraRevisions: AppendRecords;
  /** Lease-bucket records to add, ascending by key. */
  extraLeases: LeaseBucketEntry[];
  segments: number;
  /** Puts restored without their lease (never recorded). */
  detachedKeys: number;
}

/** The lease IDs in a snapshot file's lease bucket (a small bucket: read whole). */
export async function snapshotLeaseIds(snapshotPath: string): Promise<Set<bigint>> {
  const file = await openSnapshotFile(snapshotPath);
  try {
    const ids = new Set<bigint>();
    for (const e of openBolt(file.ra).bucket('lease')?.entries() ?? []) ids.add(decodeLease(e.value as Uint8Array).id);
    return ids;
  } finally {
    await file.close();
  }
}

/** Plans, checks and loads the deltas of backup `full` for `target` (see the file comment). */
export async function buildDeltaRestore(repo: BackupRepository, full: Manifest, target: DeltaTarget, identities: readonly Identity[], snapshotPath: string, signal?: AbortSignal): Promise<DeltaRestoreInput> {
  const plan = await planDeltaRestore(repo, full, target, signal);
  const collector = await collectDeltaRestore(repo, plan, { identities, snapshotRevision: plan.baseRevision, signal });
  return finishDeltaRestore(plan, collector, await snapshotLeaseIds(snapshotPath));
}

function finishDeltaRestore(plan: DeltaRestorePlan, collector: DeltaEntryCollector, knownLeases: ReadonlySet<bigint>): DeltaRestoreInput {
  const loaded = collector.finishRecords(knownLeases);
  const compare = (a: LeaseBucketEntry, b: LeaseBucketEntry) => Buffer.compare(a.key, b.key);
  return { toRevision: plan.toRevision, extraRevisions: loaded.records, extraLeases: [...loaded.leases].sort(compare), segments: plan.segments.length, detachedKeys: loaded.detachedKeys };
}

/**
 * The deltas of backup `full` for `target`, read while the full backup downloads: plans and
 * checks the chain (throwing DeltaChainError before anything is read), then starts reading
 * the segments (on a worker thread when `worker` says where from: delta-worker.ts) and
 * returns at once. `finish(snapshotPath)`, called with the downloaded and
 * checked snapshot, waits for the segments and applies the lease rule with the snapshot's
 * leases. A failed read aborts `downloadSignal` (so the download stops early); `failure()`
 * is its error once it failed, and `cancel()` stops the read (when the download failed first).
 */
export async function startDeltaRestore(repo: BackupRepository, full: Manifest, target: DeltaTarget, identities: readonly Identity[], signal?: AbortSignal, worker?: DeltaWorkerSource): Promise<{
  plan: DeltaRestorePlan;
  downloadSignal: AbortSignal;
  finish(snapshotPath: string): Promise<DeltaRestoreInput>;
  /** The read's error if it has failed by now, else undefined. */
  failure(): unknown;
  /** Stops the read (its outcome is then ignored). */
  cancel(): void;
}> {
  const plan = await planDeltaRestore(repo, full, target, signal);
  const abortDownload = new AbortController();
  const abortRead = new AbortController();
  const downloadSignal = signal ? AbortSignal.any([signal, abortDownload.signal]) : abortDownload.signal;
  const readSignal = signal ? AbortSignal.any([signal, abortRead.signal]) : abortRead.signal;
  let failed: { error: unknown } | undefined;
  const reading = worker
    ? collectDeltaRestoreOnWorker(repo, worker, plan, plan.baseRevision, readSignal)
    : collectDeltaRestore(repo, plan, { identities, snapshotRevision: plan.baseRevision, signal: readSignal });
  reading.catch((error: unknown) => {
    if (abortRead.signal.aborted) return;
    failed = { error };
    abortDownload.abort(new Error('a delta segment failed'));
  });
  return {
    plan,
    downloadSignal,
    finish: async (snapshotPath) => finishDeltaRestore(plan, await reading, await snapshotLeaseIds(snapshotPath)),
    failure: () => failed?.error,
    cancel: () => abortRead.abort(),
  };
}

