/**
 * Restore drills: proof that a backup can really be brought back, not just that its bytes
 * hash right. Steps, each timed and reported:
 * 1. download the backup into a private temp dir (stored hash, decryption, decompression,
 *    content size: the path of `backup download`, but the content hash is left to step 2
 *    and, on Node < 22.15, the zstd program writes the file itself);
 * 2. restore it with kubekeeper's own restore (full snapshot verification, with the image
 *    sha256 against the trailer and the manifest; Kubernetes revision bump), what a
 *    disaster recovery would run, into a throwaway dir that is not fsynced (the db is
 *    still flushed behind the writer, which spares etcd's first commit that work);
 * 3. start a throwaway etcd on 127.0.0.1 from it (random free ports, fast raft ticks, mutual
 *    TLS on client and peer URLs with certificates made for this drill); the
 *    snapshot's live keys are counted offline on a worker thread meanwhile: etcd's start-up
 *    is mostly one busy thread, while the restore already keeps both cores of a small
 *    machine busy (its structure walk and the image hash);
 * 4. ask the running etcd: the revision it serves, its alarms, its key counts (in total and
 *    per group) against the offline counts, and the configured expected keys;
 * 5. stop etcd by PID and remove everything.
 * Before step 1, leftovers of drills that were killed before their clean-up (their etcd,
 * their copy of the data) are reaped (drill-reap.ts) and listed in the result.
 * A failed step ends the drill with its reason (`ok: false`); only a missing etcd binary, an
 * abort or a bug throw. The result never holds cluster data beyond key names the caller gave.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Identity } from '../crypto/index.js';
import { AppError } from '../errors.js';
import type { EtcdClient } from '../etcd/index.js';
import { type Logger, silentLogger } from '../logger.js';
import { resolveBackupToLocalFile } from './backup-download.js';
import { withTempDir } from './backup-spool.js';
import { type DrillEtcd, drillPeerUrl, findEtcdBinary, freeLoopbackPort, startDrillEtcd, writeDrillTls } from './drill-etcd.js';
import { DRILL_DIR_PREFIX, type ReapedDrill, drillParentDir, etcdIdentity, ownMarker, reapStaleDrills, writeDrillMarker } from './drill-reap.js';
import { type KeyCounts, countLiveKeysOnWorker, prefixRangeEnd } from './drill-expect.js';
import type { BackupRepository } from './repository.js';
import { type SnapshotRestoreReport, restoreSnapshot } from './snapshot-restore.js';

export type DrillStep = 'download' | 'restore' | 'start' | 'revision' | 'alarms' | 'keys' | 'expected-keys';

export interface DrillCheck {
  step: DrillStep;
  ok: boolean;
  detail: string;
  durationMs: number;
}

export interface RestoreDrillOptions {
  /** A backup name or "latest" (the newest good backup). */
  ref: string;
  identities: readonly Identity[];
  /** "etcd" (looked up in PATH) or a path. */
  etcdBinary: string;
  /** Keys that must be served; one ending in "/" is a prefix that must hold at least one key. */
  expectKeys: readonly string[];
  /**
   * Parent of the drill's temp dir, owned by the running uid and not writable by others
   * (default "kubekeeper-drills-<uid>" in the OS temp dir, 0700); needs about twice the snapshot size.
   */
  workDir?: string;
  /** How long etcd may take to answer after start. */
  startTimeoutMs: number;
  signal?: AbortSignal;
  logger?: Logger;
  /** For PATH; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface RestoreDrillResult {
  ok: boolean;
  /** The backup drilled (absent when "latest" did not resolve). */
  backupName?: string;
  startedAt: string;
  durationMs: number;
  /** The first failed step's detail, and a stable code for metrics ("download", "keys", ...). */
  reason?: string;
  failedStep?: DrillStep;
  checks: DrillCheck[];
  snapshotBytes?: number;
  revision?: number;
  keyCount?: number;
  /** Leftovers of earlier drills killed before their clean-up, removed before this one. */
  reaped?: ReapedDrill[];
}

/** Ends the drill at a failed step; the reason is in the step's check. */
class StepFailed extends Error {}

/** What a step found; `durationMs` overrides the measured time (for work done in parallel). */
interface StepOutcome<T> {
  value: T;
  detail: string;
  ok?: boolean;
  durationMs?: number;
}

/** Runs one restore drill; see the file comment. */
export async function runRestoreDrill(repo: BackupRepository, options: RestoreDrillOptions): Promise<RestoreDrillResult> {
  const started = Date.now();
  const logger = options.logger ?? silentLogger;
  const binary = await findEtcdBinary(options.etcdBinary, options.env);
  const result: RestoreDrillResult = { ok: false, startedAt: new Date(started).toISOString(), durationMs: 0, checks: [] };
  const step = async <T>(name: DrillStep, work: () => Promise<StepOutcome<T>>): Promise<T> => {
    const t0 = Date.now();
    let outcome: StepOutcome<T>;
    try {
      outcome = await work();
    } catch (err) {
      // Aborts and bugs are not drill results; every expected failure is an AppError.
      if (!(err instanceof AppError) || err.code === 'aborted') throw err;
      outcome = { value: undefined as T, detail: err.message, ok: false };
    }
    const check: DrillCheck = { step: name, ok: outcome.ok ?? true, detail: outcome.detail, durationMs: outcome.durationMs ?? Date.now() - t0 };
    result.checks.push(check);
    logger.log(check.ok ? 'info' : 'warn', 'drill.step', { step: name, ok: check.ok, durationMs: check.durationMs, ...(check.ok ? {} : { reason: check.detail }) });
    if (!check.ok) throw new StepFailed(check.detail);
    return outcome.value;
  };
  // Drill dirs live in a dir of ours alone: markers elsewhere could be planted by anyone.
  const parent = await drillParentDir(options.workDir);
  // Leftovers of drills killed before their clean-up (their etcd, their copy of the data).
  const reaped = await reapStaleDrills(parent);
  for (const r of reaped) logger.log('warn', 'drill.reaped', { dir: r.dir, ...(r.killedEtcdPid !== undefined ? { killedEtcdPid: r.killedEtcdPid } : {}) });
  if (reaped.length > 0) result.reaped = reaped;
  try {
    await withTempDir(parent, (dir) => {
      writeDrillMarker(dir, ownMarker(path.join(dir, 'data')));
      return drill(repo, options, binary, dir, result, step);
    }, DRILL_DIR_PREFIX);
    result.ok = true;
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err;
    const failed = result.checks.find((c) => !c.ok);
    result.reason = failed?.detail;
    result.failedStep = failed?.step;
  }
  result.durationMs = Date.now() - started;
  logger.log(result.ok ? 'info' : 'warn', 'drill.done', { ok: result.ok, backup: result.backupName, durationMs: result.durationMs, failedStep: result.failedStep });
  return result;
}

type Step = <T>(name: DrillStep, work: () => Promise<StepOutcome<T>>) => Promise<T>;

async function drill(repo: BackupRepository, options: RestoreDrillOptions, binary: string, dir: string, result: RestoreDrillResult, step: Step): Promise<void> {
  const { signal } = options;
  const local = await step('download', async () => {
    // The snapshot's content is hashed by the restore below (on a worker, beside its
    // structure walk) against the manifest and the trailer, not a second time here.
    const file = await resolveBackupToLocalFile(repo, options.ref, options.identities, dir, { signal, logger: options.logger, deferSnapshotHash: true });
    result.backupName = file.manifest.name;
    result.snapshotBytes = file.sizeBytes;
    return { value: file, detail: `backup "${file.manifest.name}": ${file.sizeBytes} bytes, stored hash and size checked` };
  });
  // The offline key count reads the downloaded file on a worker while etcd starts (it is
  // needed only once etcd is up); started by restoreAndCheck after the restore.
  const counting = new AbortController();
  const onAbort = () => counting.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const startCount = () => {
    const counts = countLiveKeysOnWorker(local.path, counting.signal);
    counts.catch(() => undefined);
    return counts;
  };
  try {
    await restoreAndCheck(options, binary, dir, local, startCount, result, step);
  } finally {
    // Ends the worker when a step failed before its counts were used; a no-op after it answered.
    counting.abort();
    signal?.removeEventListener('abort', onAbort);
  }
}

type DownloadedSnapshot = Awaited<ReturnType<typeof resolveBackupToLocalFile>>;

async function restoreAndCheck(
  options: RestoreDrillOptions, binary: string, dir: string, local: DownloadedSnapshot, startCount: () => Promise<KeyCounts>, result: RestoreDrillResult, step: Step,
): Promise<void> {
  const { signal } = options;
  const [clientPort, peerPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const name = 'drill';
  // The throwaway PKI (~50 ms of signing) is made while the restore runs.
  const tlsPromise = writeDrillTls(path.join(dir, 'tls'));
  tlsPromise.catch(() => undefined);
  const report = await step('restore', async () => {
    const r = await restoreSnapshot({
      snapshotPath: local.path, dataDir: path.join(dir, 'data'), name, initialCluster: `${name}=${drillPeerUrl(peerPort)}`,
      initialClusterToken: 'kubekeeper-drill', initialAdvertisePeerUrls: [drillPeerUrl(peerPort)],
      // Restore's verification hashes the image (the download did not) and requires the
      // manifest's hash as well as the trailer, before writing anything.
      skipHashCheck: false, expectedSha256: local.manifest.snapshot.dbSha256, markCompacted: false, dryRun: false,
      // A throwaway data dir: the same files and checks, without waiting for fsync.
      durable: false,
    }, { signal });
    return { value: r, detail: `image sha256 equals the manifest's and the trailer; revision ${r.revision.before} -> ${r.revision.after}${r.revision.kubernetes ? ' (Kubernetes data)' : ''}` };
  }).catch(async (err: unknown) => {
    // Nothing may still be writing into the dir when the caller removes it.
    await tlsPromise.catch(() => undefined);
    throw err;
  });
  const countsPromise = startCount();
  // Counted and restored, the downloaded file is not needed any more: unlinking it while etcd
  // starts takes that off the drill's clean-up at the end.
  const unlinked = countsPromise.then(() => rm(local.path, { force: true }), () => undefined).catch(() => undefined);
  const etcdStart = Date.now();
  const tls = await tlsPromise;
  const etcdPromise = startDrillEtcd({
    binary, name, dataDir: report.dataDir, tls, env: options.env, clientPort, peerPort, startTimeoutMs: options.startTimeoutMs, signal,
    onSpawn: (pid) => writeDrillMarker(dir, { ...ownMarker(report.dataDir), ...etcdIdentity(pid) }),
    quotaBackendBytes: Math.max(2 * 1024 ** 3, 2 * local.sizeBytes),
  });
  let etcdStartMs = 0;
  const [etcdOutcome, countsOutcome] = await Promise.allSettled([etcdPromise.finally(() => (etcdStartMs = Date.now() - etcdStart)), countsPromise]);
  const etcd = etcdOutcome.status === 'fulfilled' ? etcdOutcome.value : undefined;
  try {
    await step('start', async () => {
      if (etcdOutcome.status === 'rejected') throw etcdOutcome.reason;
      return { value: undefined, detail: `etcd pid ${etcd?.pid} answered on ${etcd?.clientUrl}`, durationMs: etcdStartMs };
    });
    const expected = () => {
      if (countsOutcome.status === 'rejected') throw countsOutcome.reason;
      return countsOutcome.value;
    };
    await checkServed((etcd as DrillEtcd).client, report, local.manifest.cluster.revision, expected, options.expectKeys, result, step);
  } finally {
    await etcd?.stop();
    await unlinked;
  }
}

async function checkServed(
  client: EtcdClient, report: SnapshotRestoreReport, recordedRevision: number, expectedCounts: () => KeyCounts,
  expectKeys: readonly string[], result: RestoreDrillResult, step: Step,
): Promise<void> {
  const status = await step('revision', async () => {
    const st = await client.status();
    const served = Number(st.header.revision);
    result.revision = served;
    const ok = BigInt(st.header.revision) === report.revision.after && report.revision.before >= BigInt(recordedRevision);
    return { value: st, ok, detail: `etcd serves revision ${served}; restore wrote ${report.revision.after} (snapshot ${report.revision.before} + bump ${report.revision.bumpedBy}); the backup recorded ${recordedRevision}` };
  });
  await step('alarms', async () => {
    const alarms = await client.alarms();
    const problems = [...status.errors, ...alarms.map((a) => `alarm ${a.alarm}`)];
    return { value: undefined, ok: problems.length === 0, detail: problems.length === 0 ? 'no alarms' : problems.join('; ') };
  });
  await step('keys', async () => {
    const expected = expectedCounts();
    const total = await countRange(client, Uint8Array.of(0), Uint8Array.of(0));
    result.keyCount = total;
    const wrong: string[] = [];
    if (total !== expected.total) wrong.push(`${total} keys in total, the snapshot has ${expected.total}`);
    for (const [group, count] of [...expected.groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const prefix = Buffer.from(group, 'latin1');
      const served = await countRange(client, prefix, prefixRangeEnd(prefix));
      if (served !== count) wrong.push(`${served} keys under "${group}", the snapshot has ${count}`);
    }
    const detail = wrong.length === 0 ? `${total} keys in ${expected.groups.size} groups, as in the snapshot` : wrong.slice(0, 5).join('; ');
    return { value: undefined, ok: wrong.length === 0, detail };
  });
  if (expectKeys.length === 0) return;
  await step('expected-keys', async () => {
    const missing: string[] = [];
    for (const key of expectKeys) {
      const bytes = Buffer.from(key, 'utf8');
      const n = key.endsWith('/') ? await countRange(client, bytes, prefixRangeEnd(bytes)) : await countRange(client, bytes);
      if (n === 0) missing.push(key);
    }
    const detail = missing.length === 0 ? `all ${expectKeys.length} expected keys are served` : `missing: ${missing.map((k) => `"${k}"`).join(', ')}`;
    return { value: undefined, ok: missing.length === 0, detail };
  });
}

/** Keys in [key, rangeEnd) (or just `key`), counted by etcd without sending them. */
async function countRange(client: EtcdClient, key: Uint8Array, rangeEnd?: Uint8Array): Promise<number> {
  const r = await client.range({ key, ...(rangeEnd ? { rangeEnd } : {}), keysOnly: true, limit: 1 });
  return r.count;
}
