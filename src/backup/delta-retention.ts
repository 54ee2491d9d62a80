/**
 * Which delta segments retention keeps (issue 20, item 3). Pure. A kept full backup with
 * revision B needs every segment after B to restore any point after it, so segments with a
 * revision after the oldest kept full backup's stay; those entirely at or before it go, as do
 * segments a merged segment covers completely, and gap records before it. With no kept full
 * backup nothing is removed (a stream without its base is still evidence).
 */
import type { DeltaListing, DeltaRange } from './delta-store.js';

export interface DeltaDecision {
  name: string;
  kind: 'segment' | 'gap';
  firstRevision: number;
  lastRevision: number;
  action: 'keep' | 'remove';
  reason: string;
}

/** `kept`: the full backups retention keeps, with their revisions. */
export function planDeltaRetention(listing: Pick<DeltaListing, 'segments' | 'gaps'>, kept: readonly { name: string; revision: number }[]): DeltaDecision[] {
  const oldest = kept.reduce<{ name: string; revision: number } | undefined>((a, k) => (!a || k.revision < a.revision ? k : a), undefined);
  const decide = (r: DeltaRange, kind: DeltaDecision['kind']): DeltaDecision => {
    const base = { name: r.name, kind, firstRevision: r.firstRevision, lastRevision: r.lastRevision };
    if (!oldest) return { ...base, action: 'keep', reason: 'no full backup is kept: nothing to judge deltas against' };
    if (r.lastRevision <= oldest.revision) {
      return { ...base, action: 'remove', reason: `revisions ${r.firstRevision}-${r.lastRevision} all precede the oldest kept full backup "${oldest.name}" (revision ${oldest.revision})` };
    }
    if (kind === 'segment') {
      const cover = listing.segments.find((o) => o !== r && o.firstRevision <= r.firstRevision && o.lastRevision >= r.lastRevision && (o.firstRevision < r.firstRevision || o.lastRevision > r.lastRevision));
      if (cover) return { ...base, action: 'remove', reason: `merged into "${cover.name}"` };
    }
    return { ...base, action: 'keep', reason: `needed to restore points after "${oldest.name}" (revision ${oldest.revision})` };
  };
  return [...listing.segments.map((s) => decide(s, 'segment')), ...listing.gaps.map((g) => decide(g, 'gap'))];
}
