/**
 * What point-in-time recovery each full backup offers (for `backup list`): from its revision
 * to the last revision its delta chain reaches, and the repository's current recovery point
 * (the newest stored revision and when the streamer received it). One listing and one
 * manifest read.
 */
import { planDeltaChain } from './delta-chain.js';
import { type DeltaListing, listDeltas, readDeltaManifest } from './delta-store.js';
import type { BackupEntry } from './repository.js';
import type { BackupRepository } from './repository.js';

export interface DeltaCoverage {
  /** The newest stored revision and its receive time (ISO), when deltas exist. */
  recoveryPoint?: { revision: number; receivedAt?: string };
  segments: number;
  gaps: number;
  /** Per good full backup: restorable revisions fromRevision..toRevision (toRevision === fromRevision: the backup alone). */
  backups: { name: string; fromRevision: number; toRevision: number }[];
}

/** `listing`: the repository's delta listing when the caller already read it (the dashboard also shows its segments). */
export async function deltaCoverage(repo: BackupRepository, backups: readonly BackupEntry[], signal?: AbortSignal, listing?: DeltaListing): Promise<DeltaCoverage | undefined> {
  listing ??= await listDeltas(repo, signal);
  if (listing.segments.length === 0 && listing.gaps.length === 0) return undefined;
  const out: DeltaCoverage = { segments: listing.segments.length, gaps: listing.gaps.length, backups: [] };
  const newest = listing.segments.reduce<typeof listing.segments[number] | undefined>((a, s) => (!a || s.lastRevision > a.lastRevision ? s : a), undefined);
  if (newest) {
    out.recoveryPoint = { revision: newest.lastRevision };
    try {
      const m = await readDeltaManifest(repo, newest, signal);
      const last = m.receivedAt[m.receivedAt.length - 1];
      if (last) out.recoveryPoint.receivedAt = new Date(last[1]).toISOString();
    } catch {
      // An unreadable newest segment still bounds the recovery point by name; restore reports why.
    }
  }
  for (const b of backups) {
    if (b.status !== 'ok' || !b.manifest) continue;
    const base = b.manifest.cluster.revision;
    out.backups.push({ name: b.name, fromRevision: base, toRevision: planDeltaChain(listing.segments, base + 1).reachableRevision });
  }
  return out;
}
