/**
 * Merging delta segments (issue 20, item 1): a day of 10-second segments is 8,640 objects;
 * merging turns each run of consecutive segments from one UTC day, once that day is over,
 * into one segment. The parts are read with every hash checked, their events concatenated
 * (contiguity checked), the merged segment stored and re-read like any other, and only then
 * the parts removed (manifest first). While both exist, restore plans take the merged one.
 * Reading the parts needs the decryption identities.
 */
import type { Compression, Identity, Recipient } from '../crypto/index.js';
import { throwIfAborted } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { planDeltaChain } from './delta-chain.js';
import type { DeltaManifest } from './delta-manifest.js';
import type { DeltaEvent, DeltaLease, DeltaRecord } from './delta-segment.js';
import { DeltaChainError, listDeltas, readDeltaManifest, readDeltaRecords, writeDeltaSegment } from './delta-store.js';
import { dataHandle, type BackupRepository } from './repository.js';

export interface MergeDeltasOptions {
  identities: readonly Identity[];
  recipients: readonly Recipient[];
  compression: Compression;
  /** Segments whose last revision was received before the period holding this instant are merged (default: now). */
  now?: Date;
  /** The merge period, aligned to the epoch (default 1 day: UTC days). */
  periodMs?: number;
  dryRun?: boolean;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface MergeResult {
  merged: { name: string; parts: string[] }[];
  removedParts: number;
}

const DAY_MS = 86_400_000;

/** Merges each finished period's (by default UTC day's) consecutive segments into one. */
export async function mergeDeltaSegments(repo: BackupRepository, options: MergeDeltasOptions): Promise<MergeResult> {
  const logger = options.logger ?? silentLogger;
  const { signal } = options;
  const period = options.periodMs ?? DAY_MS;
  const dayOf = (ms: number) => Math.floor(ms / period);
  const today = dayOf((options.now ?? new Date()).getTime());
  const listing = await listDeltas(repo, signal);
  const first = listing.segments[0];
  const result: MergeResult = { merged: [], removedParts: 0 };
  if (!first) return result;
  // Only the segments the chain uses: parts a previous merge left behind are prune's business.
  const chain = planDeltaChain(listing.segments, first.firstRevision).segments;
  const manifests: DeltaManifest[] = [];
  for (const range of chain) manifests.push(await readDeltaManifest(repo, range, signal));
  const groups: DeltaManifest[][] = [];
  for (const m of manifests) {
    const last = m.receivedAt[m.receivedAt.length - 1];
    const day = last ? dayOf(last[1]) : dayOf(Date.parse(m.createdAt));
    if (day >= today) break;
    const group = groups[groups.length - 1];
    const prev = group?.[group.length - 1];
    if (group && prev && dayOf((prev.receivedAt[prev.receivedAt.length - 1] ?? [0, Date.parse(prev.createdAt)])[1]) === day && m.firstRevision === prev.lastRevision + 1) group.push(m);
    else groups.push([m]);
  }
  for (const parts of groups.filter((g) => g.length > 1)) {
    throwIfAborted(signal, 'Merging delta segments');
    const events: DeltaEvent[] = [];
    const leases = new Map<bigint, DeltaLease>();
    for (const part of parts) {
      for await (const r of readDeltaRecords(repo, part, options.identities, signal)) {
        if (r.kind === 'lease') leases.set(r.id, leases.get(r.id) ?? r);
        else events.push(r);
      }
    }
    const head = parts[0] as DeltaManifest;
    const tail = parts[parts.length - 1] as DeltaManifest;
    const names = parts.map((p) => p.name);
    if (options.dryRun) {
      result.merged.push({ name: `${head.firstRevision}-${tail.lastRevision}`, parts: names });
      continue;
    }
    const records: DeltaRecord[] = [...events, ...leases.values()];
    const merged = await writeDeltaSegment(repo, {
      clusterId: head.clusterId, firstRevision: head.firstRevision, lastRevision: tail.lastRevision, records,
      ...(head.previous ? { previous: head.previous } : {}), mergedFrom: names.flatMap((n, i) => [...(parts[i]?.mergedFrom ?? []), n]),
      receivedAt: parts.flatMap((p) => p.receivedAt), compression: options.compression, recipients: options.recipients, signal,
    });
    if (merged.eventCount !== parts.reduce((n, p) => n + p.eventCount, 0)) {
      throw new DeltaChainError(`Merged segment "${merged.name}" holds ${merged.eventCount} events, its parts ${parts.reduce((n, p) => n + p.eventCount, 0)}`, 'Nothing was removed; report this', merged.name);
    }
    for (const part of parts) {
      await repo.backend.remove({ type: 'manifest', name: `${part.name}.json` }, { signal });
      await repo.backend.remove(dataHandle(part.object.name), { signal });
      result.removedParts++;
    }
    result.merged.push({ name: merged.name, parts: names });
    logger.log('info', 'delta.merge.done', { name: merged.name, parts: names.length, events: merged.eventCount });
  }
  return result;
}
