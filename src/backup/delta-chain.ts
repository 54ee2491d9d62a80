/**
 * Which segments lead from a full backup to a target revision. Pure. Segments may overlap
 * while a merge is under way (the merged one and its parts both listed): at each step the one
 * reaching furthest is taken. The chain stops at the first revision no segment covers.
 */
import type { DeltaRange } from './delta-store.js';

export interface DeltaChainPlan {
  /** Segments in order; the first covers `fromRevision`, each starts right after the one before. */
  segments: DeltaRange[];
  /** The last revision the chain reaches contiguously (fromRevision - 1 when none). */
  reachableRevision: number;
  /** The first revision missing after reachableRevision, when a later segment exists. */
  gap?: { fromRevision: number; toRevision: number; nextSegment: string };
}

/** Plans the chain for revisions fromRevision..(toRevision or as far as it goes). */
export function planDeltaChain(segments: readonly DeltaRange[], fromRevision: number, toRevision = Number.MAX_SAFE_INTEGER): DeltaChainPlan {
  const chosen: DeltaRange[] = [];
  let next = fromRevision;
  for (;;) {
    if (next > toRevision) break;
    let best: DeltaRange | undefined;
    for (const s of segments) {
      if (s.firstRevision <= next && s.lastRevision >= next && (!best || s.lastRevision > best.lastRevision)) best = s;
    }
    if (!best) break;
    chosen.push(best);
    next = best.lastRevision + 1;
  }
  const plan: DeltaChainPlan = { segments: chosen, reachableRevision: next - 1 };
  const after = segments.filter((s) => s.firstRevision > next).sort((a, b) => a.firstRevision - b.firstRevision)[0];
  if (after && next <= toRevision) plan.gap = { fromRevision: next, toRevision: after.firstRevision - 1, nextSegment: after.name };
  return plan;
}
