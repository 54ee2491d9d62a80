/**
 * The restore's worker thread: the kernel copy of the snapshot into the staged db, and the
 * sha256 of the bbolt image where the walk cannot hash it (a source that is not a snapshot
 * file: snapshot-restore-verify.ts), off the thread that walks the bbolt structure. The walk is
 * one synchronous pass, so nothing on that thread's event loop runs until it ends: the copy,
 * and the flushes that send the copy to disk while it grows, are driven from here instead.
 * - The hash reads the file through the worker's own descriptor (read-only) in large
 *   sequential blocks, yielding to the worker's event loop between blocks.
 * - The copy is a reflink where the file system has them, else copy_file_range (libuv's
 *   copyfile), on libuv's thread pool: the pages are never read into this process.
 * - With `durable`, the copy is fdatasync'ed every FLUSH_INTERVAL_MS while it grows and once
 *   after it ends: the disk writes the first pages while the kernel copies the last ones,
 *   instead of all of them after the copy (a machine with RAM to spare starts writing back
 *   dirty pages only past dirty_background_ratio, gigabytes later).
 * On a machine with a second core neither costs the walk any time.
 */
import { Worker } from 'node:worker_threads';
import { AbortedError, AppError, messageOf } from '../errors.js';

/** Bytes per read in the worker. */
const HASH_BLOCK_BYTES = 4 * 1024 * 1024;
/** Time between two flushes of the growing copy. */
const FLUSH_INTERVAL_MS = 25;
/** How long a stopped worker may take to let its copy end before it is terminated. */
const STOP_GRACE_MS = 30_000;

// CommonJS, evaluated in the worker: no module resolution, no dependency on the build layout.
// Messages: { copied: true } once the copy is complete (and flushed when durable), then
// { sha256 } (or { sha256: null } without hashing); failures: { failed: 'copy'|'sync'|'hash', message }.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { path, length, blockBytes, copyTo, durable, flushMs } = workerData;
const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const fail = (failed, err) => parentPort.postMessage({ failed, message: String(err && err.message || err) });
let copying = false;
let stopped = false;
parentPort.on('message', () => { stopped = true; });
parentPort.unref();
let flushing;
let lastFlush = 0;
let out;
function flushSoon() {
  if (!durable || flushing || Date.now() - lastFlush < flushMs) return;
  flushing = new Promise((resolve, reject) => fs.fdatasync(out, (err) => {
    flushing = undefined;
    lastFlush = Date.now();
    if (err) reject(err); else resolve();
  }));
  flushing.catch(() => undefined);
}
async function copy() {
  out = fs.openSync(copyTo, 'r+');
  try {
    copying = true;
    // The caller created the file exclusively (0600, in its own staging dir): no COPYFILE_EXCL.
    const done = new Promise((resolve, reject) => fs.copyFile(path, copyTo, fs.constants.COPYFILE_FICLONE, (err) => {
      copying = false;
      if (err) reject(err); else resolve();
    }));
    done.catch(() => undefined);
    while (copying) {
      flushSoon();
      await sleep(flushMs);
    }
    await done;
  } catch (err) {
    fs.closeSync(out);
    throw Object.assign(err, { stage: 'copy' });
  }
  try {
    if (durable) {
      if (flushing) await flushing;
      await new Promise((resolve, reject) => fs.fdatasync(out, (err) => (err ? reject(err) : resolve())));
    }
  } catch (err) {
    throw Object.assign(err, { stage: 'sync' });
  } finally {
    fs.closeSync(out);
  }
}
async function hash() {
  // Loaded only to hash: node:crypto costs a copy-only worker ~10 ms of start-up.
  const { createHash } = require('node:crypto');
  const fd = fs.openSync(path, 'r');
  try {
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(blockBytes);
    for (let offset = 0; offset < length;) {
      const n = fs.readSync(fd, buf, 0, Math.min(blockBytes, length - offset), offset);
      if (n === 0) throw new Error('the file ended at ' + offset + '; it shrank while being read');
      h.update(buf.subarray(0, n));
      offset += n;
      if (copying) flushSoon();
      // Lets a stop message (and the flush's completion) in between two blocks.
      await tick();
      if (stopped) throw new Error('stopped');
    }
    return h.digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}
(async () => {
  const copied = copyTo ? copy().then(() => parentPort.postMessage({ copied: true })) : Promise.resolve();
  copied.catch(() => undefined);
  let sha256 = null;
  try {
    if (length > 0) sha256 = await hash();
  } catch (err) {
    fail('hash', err);
    return;
  }
  try {
    await copied;
  } catch (err) {
    fail(err.stage || 'copy', err);
    return;
  }
  parentPort.postMessage({ sha256 });
})();
`;

export interface RestoreWorkerOptions {
  /** Bytes to hash from the start of the file (the bbolt image); 0 = no hash. */
  hashBytes: number;
  /** A file the caller created (empty, exclusively) to copy the snapshot into; undefined = no copy. */
  copyTo?: string;
  /** Flush the copy while it grows and after it ends. */
  durable?: boolean;
  signal?: AbortSignal;
}

/** The running worker: each promise settles once; `stop()` ends it early (and waits until it has). */
export interface RestoreWorker {
  /** The copy is complete (and on disk when durable); resolves at once without a copy. */
  copied: Promise<void>;
  /** Hex sha256 of the first `hashBytes` bytes; undefined without hashing. */
  sha256: Promise<string | undefined>;
  stop(): Promise<void>;
}

type WorkerMessage = { copied: true } | { sha256: string | null } | { failed: 'copy' | 'sync' | 'hash'; message: string };

/** Starts the worker on `path` (see the file comment). */
export function startRestoreWorker(path: string, options: RestoreWorkerOptions): RestoreWorker {
  const { hashBytes, copyTo, durable = false, signal } = options;
  let settleCopied!: (err?: AppError) => void;
  let settleHash!: (value: string | undefined, err?: AppError) => void;
  const copied = new Promise<void>((resolve, reject) => {
    settleCopied = (err) => (err ? reject(err) : resolve());
  });
  const sha256 = new Promise<string | undefined>((resolve, reject) => {
    settleHash = (value, err) => (err ? reject(err) : resolve(value));
  });
  copied.catch(() => undefined);
  sha256.catch(() => undefined);
  if (copyTo === undefined) settleCopied();
  const failure = (stage: string, message: string, err?: unknown) => {
    if (stage === 'hash') {
      return new AppError('restore-hash', `Cannot restore "${path}": reading it for its sha256 failed: ${message}`, { hint: 'Check the disk and that nothing is writing to the file', cause: err });
    }
    const action = stage === 'sync' ? 'syncing' : 'copying the snapshot to';
    return new AppError('restore-write', `Cannot restore "${path}": ${action} "${copyTo}" failed: ${message}`, {
      hint: 'Check the file system of --data-dir (free space, permissions) and run the restore again; nothing was made visible', cause: err,
    });
  };
  const fail = (err: AppError) => {
    settleCopied(err);
    settleHash(undefined, err);
  };
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, length: hashBytes, blockBytes: HASH_BLOCK_BYTES, copyTo, durable, flushMs: FLUSH_INTERVAL_MS },
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // A stop lets a running copy end (its staged file is then removed by the caller, not
  // recreated behind its back); the worker is terminated only if it does not exit in time.
  const stop = async (reason?: AppError) => {
    fail(reason ?? new AppError('restore-stopped', `The restore of "${path}" stopped its worker`, { hint: 'Run the restore again' }));
    worker.postMessage('stop');
    const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  // Ctrl-C: whoever awaits the copy or the hash sees the interruption (exit 130), not a stop.
  const onAbort = () => void stop(new AbortedError('The restore'));
  signal?.addEventListener('abort', onAbort, { once: true });
  void exited.then(() => signal?.removeEventListener('abort', onAbort));
  worker.on('message', (m: WorkerMessage) => {
    if ('copied' in m) settleCopied();
    else if ('sha256' in m) settleHash(m.sha256 ?? undefined);
    else fail(failure(m.failed, m.message));
  });
  worker.once('error', (err) => fail(failure('hash', messageOf(err), err)));
  worker.once('exit', (code) => {
    fail(new AppError('restore-hash', `Cannot restore "${path}": the restore's worker stopped (exit ${code})`, { hint: 'Run the restore again' }));
  });
  return { copied, sha256, stop };
}
