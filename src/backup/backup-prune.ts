/**
 * `backup prune`: applies a retention policy. The plan comes from the pure planner
 * (schedule/planRetention) with a reason for every decision; this executor removes what it
 * says, and nothing else:
 * - only backups whose manifest is good take part; damaged ones are reported, never removed
 *   (their state may be a listing glitch; `backup delete` removes them on purpose);
 * - orphaned data (objects named like ours without a manifest: interrupted saves) is
 *   removed once older than a grace period, so a save in progress is never touched;
 * - the newest good backup is never removed, checked here again whatever the plan says;
 * - that guarantee is proven before anything is removed: its objects are read back and
 *   their sha256 checked against the manifest (restic's prune relies on its check the same
 *   way). A backup that fails the proof is reported as damaged, never counted as good and
 *   never removed; the next newest is tried. When no backup can be proven, nothing is removed.
 */
import { AppError, throwIfAborted } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { type RetentionPlan, type RetentionPolicy, planRetention } from '../schedule/index.js';
import { deleteBackup } from './backup-delete.js';
import { rereadObject } from './backup-object.js';
import type { TemporaryLeftover } from '../storage/index.js';
import { type BackupEntry, type BackupRepository, type OrphanObject, type UnfinishedUploadEntry, dataHandle } from './repository.js';
import { DEFAULT_DELTA_ORPHAN_GRACE_MS, type DeltaDecision, planDeltaOrphans, planDeltaRetention } from './delta-retention.js';
import { type DeltaListing, listDeltas, readDeltaManifest } from './delta-store.js';

/** Orphans younger than this may belong to a save still running. */
export const DEFAULT_ORPHAN_GRACE_MS = 24 * 60 * 60 * 1000;

export interface PruneOptions {
  policy: RetentionPolicy;
  dryRun?: boolean;
  now?: Date;
  orphanGraceMs?: number;
  /** Delta data objects no manifest names are removed past this age (default DEFAULT_DELTA_ORPHAN_GRACE_MS, 1 h). */
  deltaOrphanGraceMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface OrphanDecision extends OrphanObject {
  action: 'keep' | 'remove';
  reason: string;
}

export interface UploadDecision extends UnfinishedUploadEntry {
  action: 'keep' | 'abort';
  reason: string;
}

export interface PruneResult {
  plan: RetentionPlan;
  /**
   * Backups left out of the plan because they are not good, with why: as listed, or
   * "damaged" when reading one back for the proof failed.
   */
  skipped: { name: string; status: BackupEntry['status'] | 'damaged'; problems: string[] }[];
  /** Temporary files of saves killed mid-way: removed when their writer is gone (not in a dry run). */
  temporaries?: TemporaryLeftover[];
  /** The backup read back and proven before removing anything (the guarantee). */
  proven?: string;
  orphans: OrphanDecision[];
  /** Unfinished multipart uploads (S3 only): aborted past the same grace as orphans. */
  unfinishedUploads?: UploadDecision[];
  dryRun: boolean;
  /**
   * Delta segments, gap records and orphaned delta data (objects no manifest names) for
   * point-in-time recovery, with a reason each; absent when the repository has none.
   */
  deltas?: DeltaDecision[];
  /** What was (or, in a dry run, would be) removed. */
  removedBackups: string[];
  removedObjects: number;
  removedBytes: number;
  durationMs: number;
}

export async function pruneBackups(repo: BackupRepository, options: PruneOptions): Promise<PruneResult> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const { signal } = options;
  const logger = options.logger ?? silentLogger;
  const dryRun = options.dryRun ?? false;
  const listing = await repo.listBackups(signal, now);
  const listed = listing.backups.filter((b) => b.status === 'ok' && b.manifest);
  const { proven, damaged } = await proveNewest(repo, listed, now, signal);
  const good = listed.filter((b) => !damaged.some((d) => d.name === b.name));
  if (!proven && damaged.length > 0) {
    throw new AppError('prune-unproven', `Refusing to prune "${repo.location}": no backup could be read back intact (${damaged.map((d) => d.name).join(', ')})`, {
      hint: 'Run "kubekeeper backup verify" on the newest backups and "kubekeeper backup save" a new one before pruning',
    });
  }
  for (const d of damaged) logger.log('error', 'backup.prune.damaged', { name: d.name, problem: d.problems.join('; ') });
  const plan = planRetention(good.map((b) => ({ name: b.name, createdAt: new Date(b.manifest?.createdAt ?? 0), verified: b.name === proven })), options.policy, now);
  const newestGood = plan.decisions.find((d) => d.createdAt.getTime() <= now.getTime());
  if (newestGood && plan.remove.some((d) => d.name === newestGood.name)) {
    throw new AppError('prune-refused', `Refusing to prune: the plan would remove the newest good backup "${newestGood.name}"`, { hint: 'This is a bug in the retention planner; report it' });
  }
  const grace = options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS;
  const orphans = listing.orphans.map((o): OrphanDecision => {
    const age = o.modifiedAt ? now.getTime() - o.modifiedAt.getTime() : Infinity;
    return age >= grace
      ? { ...o, action: 'remove', reason: `no manifest: left by an interrupted save (older than ${Math.round(grace / 3_600_000)}h)` }
      : { ...o, action: 'keep', reason: 'no manifest yet: may be a save in progress' };
  });
  const result: PruneResult = {
    plan, dryRun, orphans, removedBackups: [], removedObjects: 0, removedBytes: 0, durationMs: 0, ...(proven ? { proven } : {}),
    temporaries: (await repo.backend.sweepTemporaries?.({ remove: !dryRun })) ?? [],
    skipped: [...damaged, ...listing.backups.filter((b) => b.status !== 'ok').map((b) => ({ name: b.name, status: b.status, problems: b.problems }))],
  };
  const sizes = new Map(good.map((b) => [b.name, b.manifest?.objects.reduce((n, o) => n + o.sizeBytes, 0) ?? 0]));
  for (const decision of plan.remove) {
    throwIfAborted(signal, 'Pruning');
    if (dryRun) {
      result.removedObjects += (good.find((b) => b.name === decision.name)?.manifest?.objects.length ?? 0) + 1;
      result.removedBytes += sizes.get(decision.name) ?? 0;
    } else {
      const deleted = await deleteBackup(repo, decision.name, { signal, logger });
      result.removedObjects += deleted.removed.length;
      result.removedBytes += deleted.removedBytes;
    }
    result.removedBackups.push(decision.name);
  }
  for (const orphan of orphans.filter((o) => o.action === 'remove')) {
    throwIfAborted(signal, 'Pruning');
    if (!dryRun) await repo.backend.remove(dataHandle(orphan.name), { signal });
    result.removedObjects += 1;
    result.removedBytes += orphan.sizeBytes;
  }
  const keptBackups = good.filter((b) => !plan.remove.some((d) => d.name === b.name));
  const deltas = await pruneDeltas(repo, keptBackups, { dryRun, now, graceMs: options.deltaOrphanGraceMs ?? DEFAULT_DELTA_ORPHAN_GRACE_MS, signal });
  if (deltas) {
    result.deltas = deltas.decisions;
    result.removedObjects += deltas.removedObjects;
    result.removedBytes += deltas.removedBytes;
  }
  if (listing.unfinishedUploads) result.unfinishedUploads = await abortUnfinished(repo, listing.unfinishedUploads, now, grace, dryRun, signal);
  result.durationMs = Date.now() - started;
  logger.log('info', 'backup.prune.done', { dryRun, removedBackups: result.removedBackups.length, removedObjects: result.removedObjects, removedBytes: result.removedBytes });
  return result;
}

/** Aborts unfinished uploads older than the grace (a younger one may be a save in progress). */
async function abortUnfinished(repo: BackupRepository, uploads: readonly UnfinishedUploadEntry[], now: Date, grace: number, dryRun: boolean, signal: AbortSignal | undefined): Promise<UploadDecision[]> {
  const decisions: UploadDecision[] = [];
  for (const u of uploads) {
    const age = u.startedAt ? now.getTime() - u.startedAt.getTime() : Infinity;
    if (age < grace) {
      decisions.push({ ...u, action: 'keep', reason: 'started recently: may be a save in progress' });
      continue;
    }
    throwIfAborted(signal, 'Pruning');
    const [type, name] = u.object.split('/') as ['data' | 'manifest', string];
    if (!dryRun) await repo.backend.abortUnfinished?.({ type, name, uploadId: u.uploadId }, { signal });
    decisions.push({ ...u, action: 'abort', reason: `unfinished upload left by an interrupted save (older than ${Math.round(grace / 3_600_000)}h)` });
  }
  return decisions;
}

/**
 * Reads back, newest first, the backups not dated after `now` until one has every object
 * intact (size and sha256 as in its manifest). Those that fail are returned as damaged.
 */
async function proveNewest(repo: BackupRepository, backups: readonly BackupEntry[], now: Date, signal: AbortSignal | undefined): Promise<{ proven?: string; damaged: PruneResult['skipped'] }> {
  const damaged: PruneResult['skipped'] = [];
  for (const backup of backups) {
    const manifest = backup.manifest;
    if (!manifest || Date.parse(manifest.createdAt) > now.getTime()) continue;
    try {
      for (const object of manifest.objects) await rereadObject(repo, manifest, object, signal);
      return { proven: backup.name, damaged };
    } catch (err) {
      if (!(err instanceof AppError) || err.code === 'aborted') throw err;
      damaged.push({ name: backup.name, status: 'damaged', problems: [`read back for prune: ${err.message}`] });
    }
  }
  return { damaged };
}

/**
 * Applies planDeltaRetention (a segment's manifest is removed first, so it stops being used,
 * then its data) and planDeltaOrphans (data objects no manifest names, past the grace).
 */
async function pruneDeltas(
  repo: BackupRepository, kept: readonly BackupEntry[], o: { dryRun: boolean; now: Date; graceMs: number; signal: AbortSignal | undefined },
): Promise<{ decisions: DeltaDecision[]; removedObjects: number; removedBytes: number } | undefined> {
  const { signal } = o;
  const listing = await listDeltas(repo, signal);
  if (listing.segments.length === 0 && listing.gaps.length === 0 && listing.objects.length === 0) return undefined;
  const decisions: DeltaDecision[] = planDeltaRetention(listing, kept.map((b) => ({ name: b.name, revision: b.manifest?.cluster.revision ?? 0 })));
  const sizes = new Map(listing.objectInfo.map((x) => [x.name, x.sizeBytes]));
  let removedObjects = 0;
  let removedBytes = 0;
  const handled = new Set<string>();
  for (const d of decisions.filter((x) => x.action === 'remove')) {
    throwIfAborted(signal, 'Pruning');
    const objects = listing.objects.filter((x) => x.startsWith(`${d.name}.`));
    if (!o.dryRun) {
      await repo.backend.remove({ type: 'manifest', name: `${d.name}.json` }, { signal });
      for (const x of objects) await repo.backend.remove(dataHandle(x), { signal });
    }
    for (const x of objects) handled.add(x);
    removedObjects += 1 + objects.length;
    removedBytes += objects.reduce((n, x) => n + (sizes.get(x) ?? 0), 0);
  }
  const unhandled = listing.objectInfo.filter((x) => !handled.has(x.name));
  const orphans = planDeltaOrphans(unhandled, await claimedObjects(repo, listing, unhandled.map((x) => x.name), signal), o.now, o.graceMs);
  for (const orphan of orphans) {
    const { sizeBytes, ...decision } = orphan;
    decisions.push(decision);
    if (orphan.action !== 'remove') continue;
    throwIfAborted(signal, 'Pruning');
    if (!o.dryRun) await repo.backend.remove(dataHandle(orphan.name), { signal });
    removedObjects += 1;
    removedBytes += sizeBytes;
  }
  return { decisions, removedObjects, removedBytes };
}

/**
 * The data objects segment manifests name. A segment with one object of its name claims it
 * (no read); one with several (a retry or a restart wrote the same range again) has its
 * manifest read to tell which; an unreadable manifest claims them all (nothing is guessed).
 */
async function claimedObjects(repo: BackupRepository, listing: DeltaListing, objects: readonly string[], signal: AbortSignal | undefined): Promise<Set<string>> {
  const claimed = new Set<string>();
  for (const segment of listing.segments) {
    const own = objects.filter((x) => x.startsWith(`${segment.name}.`));
    if (own.length === 1) claimed.add(own[0] as string);
    if (own.length <= 1) continue;
    const named = await readDeltaManifest(repo, segment, signal).then((m) => m.object.name, () => undefined);
    for (const x of own) if (named === undefined || x === named) claimed.add(x);
  }
  return claimed;
}
