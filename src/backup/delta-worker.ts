/**
 * collectDeltaRestore on a worker thread, so that a point-in-time restore reads, decrypts,
 * decompresses, hash-checks and decodes its delta segments on the second core while the main
 * thread downloads and checks the full backup. The entries come back as the worker's buffers
 * (transferred, not copied) plus an offset index; the main thread turns them into objects in
 * DeltaEntryCollector.finish(). Where the worker's file is not beside this one (a single-file
 * bundle), the segments are read on the calling thread instead.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { DeltaEntryCollector, type PackedDeltaEntries } from './delta-replay.js';
import { type DeltaRestorePlan, collectDeltaRestore } from './delta-restore.js';
import { type DeltaWorkerSource, type PackedError, unpackError } from './delta-worker-codec.js';
import { workerOnce } from './worker-once.js';
import { loadBackupIdentities } from './backup-keys.js';
import type { BackupRepository } from './repository.js';

type Reply = { ok: true; packed: PackedDeltaEntries } | { ok: false; error: PackedError };

/** The worker's file beside this module in dist/; undefined in a bundle (import.meta.url is not a file there). */
function workerUrl(): URL | undefined {
  try {
    const url = new URL('./delta-restore-worker.js', import.meta.url);
    return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The worker's source in a bundle (~0.7 MB), else undefined. Its own module, imported only
 * when a point-in-time restore runs: the bundle puts it in a chunk no other restore loads.
 */
async function bundledSource(): Promise<string | undefined> {
  return (await import('./delta-worker-source.js')).deltaWorkerSource();
}

/** What the worker runs: its bundled source, or its file beside this module; undefined when neither exists. */
async function workerEntry(): Promise<{ source: string } | { url: URL } | undefined> {
  const source = await bundledSource();
  if (source !== undefined) return { source };
  const url = workerUrl();
  return url ? { url } : undefined;
}

/** True when the worker can run: its source is bundled in, or its file sits beside this module. */
export async function deltaWorkerAvailable(): Promise<boolean> {
  return (await workerEntry()) !== undefined;
}

/**
 * The planned segments of `plan` read and collected on a worker from `source` (see the file
 * comment); `repo` is used on the calling thread when no worker file exists. Rejects with the
 * same errors as collectDeltaRestore; `signal` terminates the worker.
 */
export async function collectDeltaRestoreOnWorker(repo: BackupRepository, source: DeltaWorkerSource, plan: DeltaRestorePlan, snapshotRevision: number, signal?: AbortSignal): Promise<DeltaEntryCollector> {
  const entry = await workerEntry();
  if (!entry) {
    return collectDeltaRestore(repo, plan, { identities: await loadBackupIdentities(source.keys), snapshotRevision, signal });
  }
  const workerData = { ...source, env: { ...source.env }, plan, snapshotRevision };
  // The bundle and the single executable carry the worker's own bundle as source (no file beside them).
  const worker = 'source' in entry
    ? new Worker(entry.source, { eval: true, workerData })
    : new Worker(entry.url, { workerData });
  return workerOnce<Reply, DeltaEntryCollector>(worker, {
    signal, aborting: 'Reading the delta segments',
    onReply: (reply) => {
      if (reply.ok) return DeltaEntryCollector.unpack(reply.packed);
      throw unpackError(reply.error);
    },
    onFailure: (why, cause) => new AppError('delta-read-failed', `Cannot read the delta segments: ${why}`, {
      hint: 'Run the restore again; "kubekeeper backup list" shows the restorable range', cause,
    }),
  });
}
