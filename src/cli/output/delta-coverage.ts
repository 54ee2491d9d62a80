/** The point-in-time recovery part of `backup list`: lines after the table, or a JSON field. */
import type { DeltaCoverage } from '../../backup/index.js';

export function renderDeltaCoverage(coverage: DeltaCoverage): string {
  const point = coverage.recoveryPoint;
  let out = `Point-in-time recovery: ${coverage.segments} delta segment(s)${coverage.gaps ? `, ${coverage.gaps} gap(s)` : ''}; recovery point ${point ? `revision ${point.revision}${point.receivedAt ? ` (received ${point.receivedAt})` : ''}` : 'none'}\n`;
  for (const b of coverage.backups) {
    out += b.toRevision > b.fromRevision
      ? `  ${b.name}: restorable to any revision ${b.fromRevision}-${b.toRevision} (--to-revision / --to-time)\n`
      : `  ${b.name}: revision ${b.fromRevision} only (no delta chain from it)\n`;
  }
  return out;
}
