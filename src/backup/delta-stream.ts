/**
 * The delta streamer (issue 20, item 1): exactly one per cluster (the etcd election
 * "delta-stream" under kubekeeper's reserved prefix), it watches the whole keyspace from the
 * last stored revision (or the newest full backup's) and stores complete revisions as delta
 * segments. When etcd compacted the revision it needs, it records the gap, asks for a new
 * full backup and resumes from that backup's revision. A watch that fails is reopened from
 * the last stored revision, so no revision is lost or stored twice.
 */
import { type Compression, type Recipient } from '../crypto/index.js';
import { AbortedError, AppError, messageOf } from '../errors.js';
import { campaign, type EtcdClient, EtcdError, type Leadership, listLeases, WatchCompactedError, watchKeyspace } from '../etcd/index.js';
import { type Logger, silentLogger } from '../logger.js';
import { abortableSleep } from '../storage/index.js';
import { type PendingDelta, runDeltaSession } from './delta-session.js';
import type { DeltaLease } from './delta-segment.js';
import { listDeltas, writeDeltaGap, writeDeltaSegment } from './delta-store.js';
import type { BackupRepository } from './repository.js';

export const DEFAULT_FLUSH_INTERVAL_MS = 10_000;
export const DEFAULT_FLUSH_BYTES = 64 * 1024 * 1024;
/**
 * Longest wait between two watches of the keyspace (etcd/watch-poll.ts): etcd then sends the
 * revisions in batches read from its backend rather than one message per revision, far less
 * for a busy member to send and for the streamer to read. 0 holds one watch open.
 */
export const DEFAULT_WATCH_POLL_MS = 1000;

/** The watch poll when none is given: DEFAULT_WATCH_POLL_MS, or the flush interval when that is shorter. */
export function defaultWatchPollMs(flushIntervalMs: number): number {
  return Math.min(DEFAULT_WATCH_POLL_MS, flushIntervalMs);
}
export const DELTA_ELECTION_JOB = 'delta-stream';
const RESTART_DELAY_MS = 1000;

/** What the streamer reports for metrics and /healthz. */
export interface DeltaStreamStatus {
  leader: boolean;
  /** Last revision stored in a segment (the recovery point), and etcd's revision as last seen. */
  storedRevision: number;
  etcdRevision: number;
  /** When the oldest revision not yet stored was received (undefined: nothing pending). */
  oldestPendingAt?: number;
  segmentsWritten: number;
  gaps: number;
  restarts: number;
  /** Since when (epoch ms) the stream keeps failing (etcd unreachable); cleared by the next stored segment or won election. */
  failingSince?: number;
}

export interface DeltaStreamOptions {
  client: EtcdClient;
  /**
   * Opens a new client (any healthy member) after a connection failure: the streamer then
   * survives the loss of the member it watched. Without it, the same client is retried.
   */
  connect?: () => Promise<EtcdClient>;
  repo: BackupRepository;
  recipients: readonly Recipient[];
  compression: Compression;
  flushIntervalMs?: number;
  flushBytes?: number;
  /** Longest wait between two watches (default DEFAULT_WATCH_POLL_MS); 0 holds one watch open. */
  watchPollMs?: number;
  /** Record lease grants and TTLs at each flush (default true). */
  recordLeases?: boolean;
  electionTtlSeconds?: number;
  commandTimeoutMs?: number;
  /** Takes a full backup now and returns its revision (after a compaction gap, or when the repository has none). */
  takeFullBackup?: () => Promise<number>;
  signal: AbortSignal;
  logger?: Logger;
  now?: () => number;
  onStatus?: (status: DeltaStreamStatus) => void;
}

/** The newest good full backup's revision, if any. */
async function newestFullRevision(repo: BackupRepository, signal: AbortSignal): Promise<number | undefined> {
  const listing = await repo.listBackups(signal);
  const good = listing.backups.filter((b) => b.status === 'ok' && b.manifest).map((b) => b.manifest?.cluster.revision ?? 0);
  return good.length > 0 ? Math.max(...good) : undefined;
}

/** Where to start and the segment to link to. */
async function resumePoint(options: DeltaStreamOptions): Promise<{ start: number; previous?: { name: string; lastRevision: number } }> {
  const { segments } = await listDeltas(options.repo, options.signal);
  const last = segments.reduce<typeof segments[number] | undefined>((a, s) => (!a || s.lastRevision > a.lastRevision ? s : a), undefined);
  let full = await newestFullRevision(options.repo, options.signal);
  if (full === undefined && !last) {
    if (!options.takeFullBackup) {
      throw new AppError('delta-no-full-backup', `Cannot stream deltas into "${options.repo.location}": it holds no full backup to start from`, { hint: 'Run "kubekeeper backup save" first' });
    }
    full = await options.takeFullBackup();
  }
  if (last && last.lastRevision >= (full ?? 0)) return { start: last.lastRevision + 1, previous: { name: last.name, lastRevision: last.lastRevision } };
  return { start: (full ?? 0) + 1 };
}

async function clusterIdOf(client: EtcdClient): Promise<string> {
  return (await client.memberListWithHeader()).header.clusterId.toString(16);
}

/** Waits until this process holds the election; logs the holder meanwhile. */
async function lead(options: DeltaStreamOptions, logger: Logger): Promise<Leadership> {
  const ttlSeconds = options.electionTtlSeconds ?? 30;
  for (let logged = ''; ;) {
    const result = await campaign(options.client, { job: DELTA_ELECTION_JOB, ttlSeconds, timeoutMs: options.commandTimeoutMs, onLost: (reason) => logger.log('error', 'delta.election.lost', { reason }) });
    if (result.won) {
      logger.log('info', 'delta.election.won', { key: result.leadership.key, identity: result.leadership.identity });
      return result.leadership;
    }
    if (logged !== result.holder) logger.log('info', 'delta.election.waiting', { holder: result.holder });
    logged = result.holder;
    await abortableSleep((ttlSeconds * 1000) / 3, options.signal);
  }
}

/** A failure that reconnecting (or waiting) can fix: etcd unreachable, a lost election, a watch cut. */
function isRestartable(err: unknown): boolean {
  return err instanceof EtcdError || (err instanceof AppError && (err.code === 'etcd-election-lost' || err.code === 'etcd-watch-ended' || err.code === 'etcd-watch-canceled'));
}

/** Runs until `options.signal` fires; throws only for failures a restart cannot fix. */
export async function streamDeltas(options: DeltaStreamOptions): Promise<void> {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const status: DeltaStreamStatus = { leader: false, storedRevision: 0, etcdRevision: 0, segmentsWritten: 0, gaps: 0, restarts: 0 };
  const report = () => options.onStatus?.({ ...status });
  let client = options.client;
  let clusterId: string | undefined;
  while (!options.signal.aborted) {
    let leadership: Leadership | undefined;
    try {
      clusterId ??= await clusterIdOf(client);
      const current = { ...options, client };
      leadership = await lead(current, logger);
      status.leader = true;
      status.failingSince = undefined;
      report();
      const signal = AbortSignal.any([options.signal, leadership.lost]);
      await streamWhileLeader(current, { clusterId, signal, logger, now, status, report });
    } catch (err) {
      if (options.signal.aborted) break;
      const lost = leadership?.lost.aborted === true;
      if (!lost && !isRestartable(err)) throw err;
      status.restarts++;
      status.failingSince ??= now();
      logger.log('warn', lost ? 'delta.stream.leadership-lost' : 'delta.stream.restart', { error: messageOf(err), restarts: status.restarts });
      report();
      await abortableSleep(RESTART_DELAY_MS, options.signal).catch(() => undefined);
      if (options.connect && !lost) {
        const next = await options.connect().catch((e: unknown) => {
          logger.log('warn', 'delta.stream.reconnect-failed', { error: messageOf(e) });
          return undefined;
        });
        if (next) {
          if (next !== client) client.close();
          client = next;
        }
      }
    } finally {
      status.leader = false;
      report();
      await leadership?.resign().catch(() => undefined);
    }
  }
  if (client !== options.client) client.close();
}

interface Ctx {
  clusterId: string;
  signal: AbortSignal;
  logger: Logger;
  now: () => number;
  status: DeltaStreamStatus;
  report: () => void;
}

async function streamWhileLeader(options: DeltaStreamOptions, ctx: Ctx): Promise<void> {
  const { signal, logger, status } = ctx;
  const seenLeases = new Set<bigint>();
  for (;;) {
    if (signal.aborted) throw new AbortedError('Streaming deltas');
    const resume = await resumePoint({ ...options, signal });
    const start = resume.start;
    let previous = resume.previous;
    status.storedRevision = start - 1;
    ctx.report();
    logger.log('info', 'delta.stream.start', { fromRevision: start });
    const flush = async (pending: PendingDelta) => {
      if (signal.aborted) throw new AbortedError('Storing a delta segment');
      const leases = options.recordLeases === false ? [] : await newLeases(options, seenLeases);
      const manifest = await writeDeltaSegment(options.repo, {
        clusterId: ctx.clusterId, firstRevision: pending.firstRevision, lastRevision: pending.lastRevision, records: pending.segment, leases, previous,
        receivedAt: pending.receivedAt, compression: options.compression, recipients: options.recipients, signal,
      });
      // Seen once stored: a lease of a segment that failed to store is recorded by the next one.
      for (const lease of leases) seenLeases.add(lease.id);
      previous = { name: manifest.name, lastRevision: manifest.lastRevision };
      status.storedRevision = manifest.lastRevision;
      status.segmentsWritten++;
      status.oldestPendingAt = undefined;
      status.failingSince = undefined;
      logger.log('info', 'delta.segment.written', { name: manifest.name, events: manifest.eventCount, bytes: manifest.object.sizeBytes });
      ctx.report();
    };
    const watch = watchKeyspace(options.client, { startRevision: BigInt(start), signal, pollMs: options.watchPollMs ?? DEFAULT_WATCH_POLL_MS });
    try {
      await runDeltaSession(watch, {
        startRevision: start, flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS, flushBytes: options.flushBytes ?? DEFAULT_FLUSH_BYTES,
        now: ctx.now, flush,
        onRevision: (etcdRevision, complete) => {
          status.etcdRevision = etcdRevision;
          if (complete > status.storedRevision) status.oldestPendingAt ??= ctx.now();
          ctx.report();
        },
        // Complete revisions received before a compaction cut the watch are stored; the gap starts after them.
        flushOnError: () => !signal.aborted,
      });
      // The server ended the watch (a member going away): reopen from what is stored.
      throw new AppError('etcd-watch-ended', 'etcd ended the watch', { hint: 'The stream reconnects by itself' });
    } catch (err) {
      if (signal.aborted) throw err;
      if (err instanceof WatchCompactedError) {
        await recordGap(options, ctx, status.storedRevision + 1, Number(err.compactRevision));
        continue;
      }
      // The member is unreachable: the caller reconnects (to any member) and campaigns again.
      if (err instanceof EtcdError && options.connect) throw err;
      status.restarts++;
      status.failingSince ??= ctx.now();
      logger.log('warn', 'delta.stream.restart', { error: messageOf(err), restarts: status.restarts });
      ctx.report();
      await abortableSleep(RESTART_DELAY_MS, signal);
    }
  }
}

async function recordGap(options: DeltaStreamOptions, ctx: Ctx, from: number, compacted: number): Promise<void> {
  ctx.status.gaps++;
  ctx.logger.log('error', 'delta.stream.gap', { fromRevision: from, toRevision: compacted, action: options.takeFullBackup ? 'taking a full backup' : 'none' });
  await writeDeltaGap(options.repo, { clusterId: ctx.clusterId, fromRevision: from, toRevision: compacted, detectedAt: new Date(ctx.now()).toISOString(), reason: `etcd compacted up to revision ${compacted}` }, ctx.signal);
  ctx.report();
  if (!options.takeFullBackup) {
    throw new AppError('delta-gap', `Deltas from revision ${from} to ${compacted} were compacted away before they were stored`, { hint: 'Run "kubekeeper backup save"; the stream resumes from its revision' });
  }
  const revision = await options.takeFullBackup();
  ctx.logger.log('info', 'delta.stream.full-backup', { revision });
}

/** Leases etcd holds that no stored segment of this leadership has recorded yet. */
async function newLeases(options: DeltaStreamOptions, seen: Set<bigint>): Promise<DeltaLease[]> {
  const { revision, leases } = await listLeases(options.client, options.commandTimeoutMs ?? 5000);
  const out: DeltaLease[] = [];
  for (const l of leases) {
    if (seen.has(l.id)) continue;
    out.push({ kind: 'lease', id: l.id, grantedTtlSeconds: BigInt(l.grantedTtlSeconds), seenAtRevision: revision });
  }
  return out;
}
