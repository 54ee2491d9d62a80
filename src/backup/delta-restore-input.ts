/**
 * What a point-in-time restore hands the db writer: the key-bucket records of the deltas
 * after the full backup up to the target, and the lease records to add (per the lease rule
 * in delta-entries.ts: leases the stream recorded that the snapshot lacks). Built after the
 * whole chain was checked (planDeltaRestore) and every segment read with its hashes checked
 * (loadDeltaRestore), before the restore writes anything. Records at or before the
 * snapshot's own last revision (a write between the backup's status call and its snapshot)
 * are the writer's to skip: it knows that revision from its own walk.
 */
import type { Identity } from '../crypto/index.js';
import { decodeLease, openBolt } from '../snapshot/index.js';
import { type KeyBucketEntry, type LeaseBucketEntry } from './delta-entries.js';
import { type DeltaTarget, loadDeltaRestore, planDeltaRestore } from './delta-restore.js';
import type { Manifest } from './manifest.js';
import type { BackupRepository } from './repository.js';
import { openSnapshotFile } from './snapshot-file.js';

export interface DeltaRestoreInput {
  /** The revision the restore reaches. */
  toRevision: number;
  /** Key-bucket records after the full backup's revision, ascending. */
  extraRevisions: KeyBucketEntry[];
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
  const knownLeases = await snapshotLeaseIds(snapshotPath);
  const loaded = await loadDeltaRestore(repo, plan, { identities, snapshotRevision: plan.baseRevision, knownLeases, signal });
  const compare = (a: LeaseBucketEntry, b: LeaseBucketEntry) => Buffer.compare(a.key, b.key);
  return { toRevision: plan.toRevision, extraRevisions: loaded.entries, extraLeases: [...loaded.leases].sort(compare), segments: plan.segments.length, detachedKeys: loaded.detachedKeys };
}
