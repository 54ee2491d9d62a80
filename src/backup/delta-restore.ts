/**
 * Point-in-time restore from a full backup plus delta segments (issue 20, item 2): picks the
 * target revision (--to-revision, or --to-time: the last revision the streamer received at or
 * before T, to the second), plans the chain, checks every manifest (signature, name, link to
 * the segment before, cluster) before any data is read, then reads each segment with its
 * hashes checked and turns the events after the snapshot into key-bucket entries. Nothing is
 * returned until every segment passed, so a restore writes nothing from a broken chain.
 */
import type { Identity } from '../crypto/index.js';
import { planDeltaChain } from './delta-chain.js';
import type { EntriesResult } from './delta-entries.js';
import type { DeltaManifest } from './delta-manifest.js';
import { DeltaEntryCollector } from './delta-replay.js';
import { DeltaChainError, listDeltas, readDeltaManifest, readDeltaSegmentBytes } from './delta-store.js';
import type { Manifest } from './manifest.js';
import type { BackupRepository } from './repository.js';

export interface DeltaTarget {
  toRevision?: number;
  toTime?: Date;
}

export interface DeltaRestorePlan {
  /** The full backup's recorded revision; segments cover fromRevision = this + 1 onwards. */
  baseRevision: number;
  toRevision: number;
  segments: DeltaManifest[];
  /** The last revision the chain reaches (the latest restorable point). */
  reachableRevision: number;
}

function latestPointText(repo: BackupRepository, backup: string, reachable: number, base: number): string {
  return reachable > base
    ? `The latest restorable point of backup "${backup}" is revision ${reachable}: use --to-revision ${reachable}`
    : `Restore backup "${backup}" alone (without --to-revision/--to-time), or check the stream into "${repo.location}"`;
}

/** Plans and checks the chain for `target`; throws DeltaChainError naming the segment or gap. */
export async function planDeltaRestore(repo: BackupRepository, full: Manifest, target: DeltaTarget, signal?: AbortSignal): Promise<DeltaRestorePlan> {
  const base = full.cluster.revision;
  const listing = await listDeltas(repo, signal);
  const wanted = target.toRevision;
  const plan = planDeltaChain(listing.segments, base + 1, wanted);
  if (wanted !== undefined && wanted < base) {
    throw new DeltaChainError(`Cannot restore backup "${full.name}" to revision ${wanted}: the backup holds revision ${base}`, 'Pick an older full backup ("kubekeeper backup list" shows each one\'s restorable range)');
  }
  const segments: DeltaManifest[] = [];
  let reachable = base;
  for (const range of plan.segments) {
    let m: DeltaManifest;
    try {
      m = await readDeltaManifest(repo, range, signal);
    } catch (err) {
      if (err instanceof DeltaChainError) throw new DeltaChainError(err.message, latestPointText(repo, full.name, reachable, base), err.segment, reachable);
      throw err;
    }
    const prev = segments[segments.length - 1];
    const linked = !prev || (m.previous !== undefined && m.previous.lastRevision === prev.lastRevision && (m.previous.name === prev.name || (prev.mergedFrom ?? []).includes(m.previous.name)));
    if (!linked || normalizeId(m.clusterId) !== normalizeId(full.cluster.clusterId)) {
      const why = !linked ? `does not follow "${prev?.name}" (its previous segment is ${m.previous ? `"${m.previous.name}"` : 'none'})` : `belongs to cluster ${m.clusterId}, not ${full.cluster.clusterId}`;
      throw new DeltaChainError(`Delta segment "${m.name}" ${why}`, latestPointText(repo, full.name, reachable, base), m.name, reachable);
    }
    segments.push(m);
    reachable = m.lastRevision;
  }
  let toRevision = wanted ?? reachable;
  if (target.toTime) toRevision = revisionAtTime(segments, target.toTime, base);
  if (toRevision > reachable) {
    const gap = plan.gap ? `revisions ${plan.gap.fromRevision}-${plan.gap.toRevision} are in no segment (next: "${plan.gap.nextSegment}")` : `no segment goes past revision ${reachable}`;
    throw new DeltaChainError(`Cannot restore backup "${full.name}" to revision ${toRevision}: ${gap}`, latestPointText(repo, full.name, reachable, base), plan.gap?.nextSegment, reachable);
  }
  const used = segments.filter((s) => s.firstRevision <= toRevision);
  return { baseRevision: base, toRevision, segments: used, reachableRevision: reachable };
}

function normalizeId(id: string): string {
  return id.toLowerCase().replace(/^0+(?=.)/, '');
}

/** The last revision received at or before `time` (1 s precision); the base when none. */
export function revisionAtTime(segments: readonly DeltaManifest[], time: Date, base: number): number {
  let revision = base;
  const t = time.getTime();
  for (const s of segments) {
    for (const [rev, ms] of s.receivedAt) {
      if (ms > t) return revision;
      revision = Math.max(revision, rev);
    }
  }
  return revision;
}

export interface LoadDeltaOptions {
  identities: readonly Identity[];
  /** The snapshot's own last revision: events up to it are already in the snapshot. */
  snapshotRevision: number;
  /** Lease IDs in the snapshot's lease bucket. */
  knownLeases?: ReadonlySet<bigint>;
  signal?: AbortSignal;
}

/** Segments read ahead of the one being decoded: the next one's read, decryption and decompression overlap the decoding. */
const READ_AHEAD = 2;

/**
 * Reads every planned segment in order (hashes checked before any byte is decoded; up to
 * READ_AHEAD reads in flight) into a DeltaEntryCollector; the lease rule is applied by its
 * finish(). Throws on the first bad segment, in chain order.
 */
export async function collectDeltaRestore(repo: BackupRepository, plan: DeltaRestorePlan, options: Omit<LoadDeltaOptions, 'knownLeases'>): Promise<DeltaEntryCollector> {
  const collector = new DeltaEntryCollector(options.snapshotRevision, plan.toRevision);
  const reads: Promise<Uint8Array>[] = [];
  const start = (i: number) => {
    const m = plan.segments[i];
    if (!m) return;
    const read = readDeltaSegmentBytes(repo, m, options.identities, options.signal);
    // Observed here so that a failure after an earlier one is not an unhandled rejection.
    read.catch(() => undefined);
    reads.push(read);
  };
  for (let i = 0; i < READ_AHEAD; i++) start(i);
  for (let i = 0; i < plan.segments.length; i++) {
    const bytes = await (reads[i] as Promise<Uint8Array>);
    start(i + READ_AHEAD);
    collector.addSegment(bytes, plan.segments[i] as DeltaManifest);
  }
  return collector;
}

/** Reads every planned segment (hashes checked) and returns the entries to append. */
export async function loadDeltaRestore(repo: BackupRepository, plan: DeltaRestorePlan, options: LoadDeltaOptions): Promise<EntriesResult & { segments: number; events: number }> {
  const collector = await collectDeltaRestore(repo, plan, options);
  const result = collector.finish(options.knownLeases);
  return { ...result, segments: plan.segments.length, events: result.entries.length };
}
