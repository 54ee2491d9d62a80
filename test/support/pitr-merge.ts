/**
 * The daemon merge tests' wait: keep the workload writing until a merged delta segment of at
 * least `minParts` parts holds at least `minInside` of the written revisions strictly inside
 * its range (so that a restore to one of them reads the merged segment); on a timeout, the
 * daemon's delta log lines explain why.
 */
import { type BackupRepository, type DeltaManifest, listDeltas, readDeltaManifest } from '../../src/backup/index.js';
import { until } from './poll.js';

export async function untilMergedSegment(o: {
  repo: BackupRepository;
  /** One workload round; returns the revisions it wrote. */
  round: () => Promise<number[]>;
  /** Every revision written so far (the rounds' are appended). */
  written: number[];
  minParts: number;
  minInside: number;
  timeoutMs: number;
  /** The daemon's log lines, quoted on a timeout. */
  lines: readonly string[];
}): Promise<DeltaManifest> {
  return until(`a merged segment of ${o.minParts}+ parts holding workload revisions`, async () => {
    o.written.push(...(await o.round()));
    for (const s of (await listDeltas(o.repo)).segments) {
      const m = await readDeltaManifest(o.repo, s).catch(() => undefined);
      if (m && (m.mergedFrom?.length ?? 0) >= o.minParts && o.written.filter((r) => r > m.firstRevision && r < m.lastRevision).length >= o.minInside) return m;
    }
    return undefined;
  }, o.timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}; daemon log:\n${o.lines.filter((l) => /delta\.(merge|election|stream)|segment\.written/.test(l)).slice(-30).join('\n')}`);
  });
}
