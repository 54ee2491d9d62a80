/**
 * Restore's gate: the whole snapshot is verified before anything is created. The trailer
 * follows etcd's rules (spec §1.2): a file without one needs --skip-hash-check, and
 * --skip-hash-check ignores a present one. Every other check of `snapshot verify` (metas,
 * size, bbolt structure, etcd buckets, revisions, consistent index, leases) must pass: a db
 * etcd cannot serve is better refused now than discovered when the cluster does not start.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { ChecksumMismatchError, TRAILER_BYTES, hasTrailer, verifySnapshot, type RandomAccess } from '../snapshot/index.js';

export interface SourceCheck {
  /** The file ends with etcdctl's sha256 trailer. */
  hasTrailer: boolean;
  /** The trailer was compared (false with --skip-hash-check or without a trailer). */
  hashChecked: boolean;
  /** sha256 of the bbolt image, when checked. */
  sha256?: string;
}

/** The snapshot failed one of the structural or etcd checks. */
export class SnapshotRejectedError extends AppError {
  readonly failedChecks: string[];
  constructor(snapshotPath: string, failed: { name: string; detail: string }[]) {
    super('restore-snapshot-invalid', `Cannot restore "${snapshotPath}": the snapshot failed verification: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`, {
      hint: `Run "kubekeeper snapshot verify ${snapshotPath}" for the full report, and restore another snapshot`,
    });
    this.failedChecks = failed.map((c) => c.name);
  }
}

const HASH_CHUNK_BYTES = 4 * 1024 * 1024;

function sha256Of(ra: RandomAccess, end: number): string {
  const hash = createHash('sha256');
  for (let offset = 0; offset < end; offset += HASH_CHUNK_BYTES) hash.update(ra.read(offset, Math.min(HASH_CHUNK_BYTES, end - offset)));
  return hash.digest('hex');
}

/** Throws unless the snapshot may be restored; see the file comment. */
export async function verifyForRestore(snapshotPath: string, ra: RandomAccess, skipHashCheck: boolean, _context: { signal?: AbortSignal } = {}): Promise<SourceCheck> {
  const trailer = hasTrailer(ra.sizeBytes);
  if (!trailer && !skipHashCheck) {
    throw new AppError('restore-missing-hash', `Cannot restore "${snapshotPath}": the file has no sha256 trailer (etcd: "snapshot missing hash but --skip-hash-check=false")`, {
      hint: 'A db copied from a data dir (member/snap/db) has no trailer: pass --skip-hash-check to restore it',
    });
  }
  if (ra.sizeBytes < TRAILER_BYTES) {
    throw new AppError('restore-snapshot-invalid', `Cannot restore "${snapshotPath}": the file has only ${ra.sizeBytes} bytes`, { hint: 'The file is not an etcd snapshot' });
  }
  const report = verifySnapshot(ra);
  const trailerCheck = report.checks.find((c) => c.name === 'trailer');
  const hashChecked = trailer && !skipHashCheck;
  if (hashChecked && trailerCheck && !trailerCheck.ok) {
    const end = ra.sizeBytes - TRAILER_BYTES;
    const expected = Buffer.from(ra.read(end, TRAILER_BYTES)).toString('hex');
    throw new ChecksumMismatchError(`Cannot restore "${snapshotPath}"`, expected, sha256Of(ra, end));
  }
  const failed = report.checks.filter((c) => !c.ok && c.name !== 'trailer');
  if (failed.length > 0) throw new SnapshotRejectedError(snapshotPath, failed);
  const sha256 = hashChecked ? /sha256 ([0-9a-f]{64})/.exec(trailerCheck?.detail ?? '')?.[1] : undefined;
  return { hasTrailer: trailer, hashChecked, ...(sha256 ? { sha256 } : {}) };
}
