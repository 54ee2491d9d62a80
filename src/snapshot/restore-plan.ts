/**
 * The pure half of `snapshot restore`: validates the flags the way etcdutl does, computes the
 * new cluster, the WAL and .snap contents (they depend on the flags only, not on the
 * snapshot), the revision bump policy, and the sentence that explains the bump to the user.
 * The executor in backup/ streams the db and writes the files.
 */
import { RestoreConfigError } from './member-id-url.js';
import { planRestoreCluster, type RestoreCluster, type RestoreClusterOptions } from './member-id.js';
import { KUBERNETES_BUMP_REVISION, MAX_BUMPED_REVISION, type RestoreDbResult, type RevisionBump } from './restore-db.js';
import { encodeSnapFile } from './snap-file.js';
import { WAL_SEGMENT_BYTES, encodeRestoreWal, type RestoreFlavour } from './wal.js';

export interface RestorePlanOptions extends RestoreClusterOptions {
  /** `--bump-revision`; undefined = kubekeeper's Kubernetes-safe default. */
  bumpRevision?: bigint;
  /** `--mark-compacted`. */
  markCompacted: boolean;
}

export interface RestorePlan {
  cluster: RestoreCluster;
  bump: RevisionBump;
  /** Always "3.5": etcdutl's restore (trimmed members, meta/term, ConfState in the WAL). */
  flavour: RestoreFlavour;
  snap: { name: string; bytes: Uint8Array };
  wal: { name: string; head: Uint8Array; sizeBytes: number };
  /** The raft index the WAL, .snap and meta/consistent_index agree on (= member count). */
  index: bigint;
}

const MAX_INT64 = (1n << 63n) - 1n;

/** Validates and plans; throws RestoreConfigError (exit code 2) on bad flags. */
export function planRestore(options: RestorePlanOptions): RestorePlan {
  const { bumpRevision, markCompacted } = options;
  if (bumpRevision !== undefined && (bumpRevision < 0n || bumpRevision > MAX_INT64)) {
    throw new RestoreConfigError(`--bump-revision ${bumpRevision} is out of range`, 'Use a revision count between 0 and 2^63-1');
  }
  // Refused before reading the snapshot when the bump alone leaves no room; restore-db checks
  // the sum with the snapshot's revision.
  if (bumpRevision !== undefined && bumpRevision > MAX_BUMPED_REVISION) {
    throw new RestoreConfigError(
      `--bump-revision ${bumpRevision} leaves fewer than 2^40 revisions before the int64 maximum: etcd would panic on a write once its revision overflows`,
      `Use --bump-revision ${MAX_BUMPED_REVISION} or less (Kubernetes needs ${KUBERNETES_BUMP_REVISION})`,
    );
  }
  // etcdutl refuses a bump that would not be marked compacted: watchers would silently miss
  // the jump instead of being told to re-list.
  if (bumpRevision !== undefined && bumpRevision > 0n && !markCompacted) {
    throw new RestoreConfigError('--mark-compacted required if --bump-revision > 0', `Add --mark-compacted, as etcdutl requires`);
  }
  const cluster = planRestoreCluster(options);
  const bump: RevisionBump = bumpRevision === undefined
    ? { mode: 'kubernetes', amount: KUBERNETES_BUMP_REVISION }
    : { mode: 'fixed', amount: bumpRevision };
  const flavour: RestoreFlavour = '3.5';
  const wal = encodeRestoreWal(cluster, flavour);
  return {
    cluster,
    bump,
    flavour,
    snap: encodeSnapFile(cluster.members),
    wal: { ...wal, sizeBytes: WAL_SEGMENT_BYTES },
    index: BigInt(cluster.members.length),
  };
}

/** One sentence on what happened to the revisions and why (printed by the CLI). */
export function explainBump(bump: RevisionBump, result: RestoreDbResult): string {
  const range = `revision ${result.revisionBefore} -> ${result.revisionAfter}`;
  if (bump.mode === 'fixed') {
    return bump.amount === 0n
      ? `Revisions kept as in the snapshot (latest ${result.revisionBefore}): --bump-revision 0.`
      : `Revision bumped by ${bump.amount} (${range}) and marked compacted, as requested by --bump-revision ${bump.amount} --mark-compacted.`;
  }
  if (!result.kubernetes) {
    return `No Kubernetes data in the snapshot (no keys under /registry/): revisions kept as in the snapshot (latest ${result.revisionBefore}), etcdutl's default.`;
  }
  return `The snapshot holds Kubernetes data (keys under /registry/): revision bumped by ${bump.amount} (${range}) and marked compacted, `
    + `like "etcdutl snapshot restore --bump-revision ${bump.amount} --mark-compacted" as the Kubernetes restore docs recommend, `
    + 'so revisions never go backwards for API server caches and watches from before the restore are told "compacted" and re-list. '
    + 'Pass --bump-revision 0 to keep the revisions.';
}
