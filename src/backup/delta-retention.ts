/**
 * Which delta segments retention keeps (issue 20, item 3). Pure. A kept full backup with
 * revision B needs every segment after B to restore any point after it, so segments with a
 * revision after the oldest kept full backup's stay; those entirely at or before it go, as do
 * segments a merged segment covers completely, and gap records before it. With no kept full
 * backup nothing is removed (a stream without its base is still evidence).
 */
import { formatDuration } from '../schedule/index.js';
import { DELTA_OBJECT_RE, deltaName } from './delta-manifest.js';
import type { DeltaListing, DeltaObjectInfo, DeltaRange } from './delta-store.js';

/**
 * Delta data objects no manifest names (a streamer or merge stopped between storing a
 * segment's data and its manifest) are removed only once older than this: a segment is
 * written in seconds, so anything this old is not one being written right now.
 */
export const DEFAULT_DELTA_ORPHAN_GRACE_MS = 60 * 60 * 1000;

export interface DeltaDecision {
  name: string;
  kind: 'segment' | 'gap' | 'orphan';
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

/**
 * Decisions for the data objects no manifest names (`claimed`: the names the segment
 * manifests name, or may name). An orphan is removed once older than `graceMs` (an unknown
 * age counts as old, as for backup orphans), kept within it: it may be a segment being written.
 */
export function planDeltaOrphans(objects: readonly DeltaObjectInfo[], claimed: ReadonlySet<string>, now: Date, graceMs: number): (DeltaDecision & { sizeBytes: number })[] {
  const out: (DeltaDecision & { sizeBytes: number })[] = [];
  for (const o of objects) {
    const m = DELTA_OBJECT_RE.exec(o.name);
    if (!m || claimed.has(o.name)) continue;
    const firstRevision = Number(m[1]);
    const lastRevision = Number(m[2]);
    const base = { name: o.name, kind: 'orphan' as const, firstRevision, lastRevision, sizeBytes: o.sizeBytes };
    const age = o.modifiedAt ? now.getTime() - o.modifiedAt.getTime() : Infinity;
    const what = `orphaned delta data: no manifest "${deltaName(firstRevision, lastRevision)}" names it`;
    out.push(age >= graceMs
      ? { ...base, action: 'remove', reason: `${what} (older than the ${formatDuration(graceMs)} grace: left by a streamer or merge stopped mid-segment)` }
      : { ...base, action: 'keep', reason: `${what} yet (${formatDuration(Math.max(0, age))} old, within the ${formatDuration(graceMs)} grace: may be a segment being written)` });
  }
  return out;
}
