/**
 * The recovery point section and the delta rows of the backup timeline, from the backup
 * domain's delta coverage (the ranges `backup list` shows), the newest segment manifests and,
 * for this host, the daemon's streamer status and etcd's live revision. Pure.
 */
import type { BackupListing } from '../backup/index.js';
import type { BackupRow, DeltaStreamView, RecoveryPointView, RestorableRange, Section } from './dashboard-data.js';
import type { DeltaInputs } from './delta-read.js';

/** The repository holds no segment: why, in the page's words. */
export const DELTAS_NOT_CONFIGURED = 'No delta backups in this repository: continuous deltas are not configured (the daemon\'s deltas section, or "kubekeeper backup stream"), so each full backup restores to its own revision only';
const DELTAS_PENDING = 'No delta backups in this repository yet: the daemon\'s deltas section is on, and the streamer has not stored a segment so far';

/** The time of a row whose time is not known (an unreadable segment). */
export const UNKNOWN_TIME = new Date(0).toISOString();

/** Delta segments as timeline rows, newest first: time stored, bytes stored, revisions and events; an unusable one with its reason. */
export function deltaRows(deltas: DeltaInputs | undefined): BackupRow[] {
  return (deltas?.segments ?? []).map((s): BackupRow => {
    const m = s.manifest;
    const first = m?.receivedAt[0]?.[1];
    return {
      name: s.name, kind: 'delta', firstRevision: s.firstRevision, lastRevision: s.lastRevision,
      ...(m
        ? {
          at: m.createdAt, result: 'ok', problems: [], storedBytes: m.object.sizeBytes, events: m.eventCount, ...(s.signature ? { signature: s.signature } : {}),
          // From the first change received to the segment stored: how long its oldest change waited.
          ...(first !== undefined ? { durationMs: Math.max(0, Date.parse(m.createdAt) - first) } : {}),
        }
        // No manifest, no time: UNKNOWN_TIME sorts it last and keeps it off the chart.
        : { at: UNKNOWN_TIME, result: 'invalid', problems: [s.error ?? 'unreadable'] }),
    };
  });
}

/** When the streamer received `revision`, if a segment read ends there (its last receive time). */
function receivedAt(deltas: DeltaInputs, revision: number): string | undefined {
  if (deltas.coverage?.recoveryPoint?.revision === revision && deltas.coverage.recoveryPoint.receivedAt) return deltas.coverage.recoveryPoint.receivedAt;
  const m = deltas.segments.find((s) => s.lastRevision === revision && s.manifest)?.manifest;
  const last = m?.receivedAt[m.receivedAt.length - 1];
  return last ? new Date(last[1]).toISOString() : undefined;
}

export interface RecoveryInputs {
  listing: BackupListing;
  deltas?: DeltaInputs;
  now: Date;
  /** etcd's live revision, when this host reads etcd. */
  etcdRevision?: number;
  /** This host's daemon streamer; absent: a fleet member. */
  stream?: Section<DeltaStreamView>;
  /** The config turns continuous deltas on (this host only). */
  deltasConfigured?: boolean;
}

/** The recovery point: each full backup's restorable range, the newest restorable point and its age, the streamer's lag. */
export function recoveryPointView(input: RecoveryInputs): RecoveryPointView {
  const { deltas, now } = input;
  const good = input.listing.backups.filter((b) => b.status === 'ok' && b.manifest);
  const covered = new Map((deltas?.coverage?.backups ?? []).map((b) => [b.name, b]));
  const ranges = good.map((b): RestorableRange => {
    const m = b.manifest as NonNullable<typeof b.manifest>;
    const c = covered.get(b.name);
    const toRevision = c && c.toRevision > c.fromRevision ? c.toRevision : m.cluster.revision;
    const toAt = toRevision === m.cluster.revision ? m.createdAt : deltas ? receivedAt(deltas, toRevision) : undefined;
    return { full: b.name, at: m.createdAt, fromRevision: m.cluster.revision, toRevision, ...(toAt ? { toAt } : {}) };
  });
  const newest = ranges.reduce<RestorableRange | undefined>((a, r) => (!a || r.toRevision > a.toRevision ? r : a), undefined);
  const newestAt = newest?.toAt ?? newest?.at;
  const stream = input.stream ?? { state: 'unavailable', reason: 'Fleet member: the live streamer lag is known only to the daemon on that cluster' };
  const coverage = deltas?.coverage;
  return {
    ...(newestAt ? { newestGoodAt: newestAt, lagMs: Math.max(0, now.getTime() - Date.parse(newestAt)) } : {}),
    ...(newest ? { newestRevision: newest.toRevision } : {}),
    ...(newest && input.etcdRevision !== undefined ? { revisionsBehind: Math.max(0, input.etcdRevision - newest.toRevision) } : {}),
    ranges,
    ...(coverage && deltas
      ? {
        deltas: {
          segments: coverage.segments, gaps: deltas.gaps.map((g) => ({ fromRevision: g.firstRevision, toRevision: g.lastRevision })),
          ...(coverage.recoveryPoint ? { recoveryPoint: coverage.recoveryPoint } : {}), omitted: deltas.omitted,
        },
      }
      : {}),
    stream,
    ...(coverage?.segments ? {} : { deltasNote: input.deltasConfigured ? DELTAS_PENDING : DELTAS_NOT_CONFIGURED }),
  };
}
