/**
 * Reads what the dashboard shows of point-in-time recovery from a repository: the backup
 * domain's delta coverage (what `backup list` shows: the restorable revision range per full
 * backup and the recovery point) and, for the timeline, the manifests of the newest segments
 * (each read with its signature and name checked). A stored segment manifest never changes, so
 * a long-lived reader keeps the ones it read in a cache.
 */
import {
  type BackupEntry, type BackupRepository, type DeltaCoverage, type DeltaManifest, type DeltaRange, deltaCoverage, listDeltas, readDeltaManifest,
} from '../backup/index.js';
import { messageOf } from '../errors.js';

/** Segments shown in the timeline (the newest); older ones are counted, not read. */
export const MAX_DELTA_ROWS = 200;

/** Segment manifests already read, by segment name. */
export type DeltaManifestCache = Map<string, DeltaManifest>;

/** One segment as read: its manifest, or why it cannot be used. */
export interface DeltaSegmentRead extends DeltaRange {
  manifest?: DeltaManifest;
  error?: string;
  /** What the signature check that accepted the manifest proves ("signed by a trusted key", "unsigned"). */
  signature?: string;
}

/** readDeltaManifest accepts only what the repository's trust allows: with signers and no unsigned allowance, a signed manifest; with none, an unsigned one. */
function acceptedSignature(repo: BackupRepository): string | undefined {
  const trust = repo.manifestTrust;
  if (trust.signers.length === 0) return 'unsigned';
  return trust.allowUnsigned === true ? undefined : 'signed by a trusted key';
}

export interface DeltaInputs {
  /** Absent when the repository holds no segment and no gap. */
  coverage?: DeltaCoverage;
  /** The newest segments, newest first (at most MAX_DELTA_ROWS). */
  segments: DeltaSegmentRead[];
  /** Older segments not read. */
  omitted: number;
  /** Revision ranges compacted away before the streamer stored them. */
  gaps: DeltaRange[];
}

/** The repository's delta coverage and its newest segments; one listing. */
export async function readDeltaInputs(repo: BackupRepository, backups: readonly BackupEntry[], signal?: AbortSignal, cache?: DeltaManifestCache): Promise<DeltaInputs> {
  const listing = await listDeltas(repo, signal);
  const coverage = await deltaCoverage(repo, backups, signal, listing);
  const newest = [...listing.segments].sort((a, b) => b.lastRevision - a.lastRevision || b.firstRevision - a.firstRevision);
  const shown = newest.slice(0, MAX_DELTA_ROWS);
  const signature = acceptedSignature(repo);
  const ok = (manifest: DeltaManifest) => ({ manifest, ...(signature ? { signature } : {}) });
  const segments = await Promise.all(shown.map(async (range): Promise<DeltaSegmentRead> => {
    const cached = cache?.get(range.name);
    if (cached) return { ...range, ...ok(cached) };
    try {
      const manifest = await readDeltaManifest(repo, range, signal);
      cache?.set(range.name, manifest);
      return { ...range, ...ok(manifest) };
    } catch (err) {
      if (signal?.aborted) throw err;
      return { ...range, error: messageOf(err) };
    }
  }));
  // Merged-over and pruned segments leave the cache with the listing.
  const stored = new Set(listing.segments.map((s) => s.name));
  if (cache) for (const name of [...cache.keys()]) if (!stored.has(name)) cache.delete(name);
  return { ...(coverage ? { coverage } : {}), segments, omitted: newest.length - shown.length, gaps: listing.gaps };
}
