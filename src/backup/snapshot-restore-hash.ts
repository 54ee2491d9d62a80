/**
 * The sha256 of a snapshot's bbolt image, computed on a worker thread: a restore checks the
 * trailer and walks the whole bbolt structure before it writes anything, and the two passes
 * are independent, so on a machine with a second core the hash costs no wall time. The
 * worker reads the file through its own descriptor (read-only) in large sequential blocks.
 */
import { Worker } from 'node:worker_threads';
import { AppError, messageOf } from '../errors.js';

/** Bytes per read in the worker. */
const HASH_BLOCK_BYTES = 4 * 1024 * 1024;

// CommonJS, evaluated in the worker: no module resolution, no dependency on the build layout.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { path, length, blockBytes } = workerData;
const fd = openSync(path, 'r');
try {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(blockBytes);
  for (let offset = 0; offset < length;) {
    const n = readSync(fd, buf, 0, Math.min(blockBytes, length - offset), offset);
    if (n === 0) throw new Error('the file ended at ' + offset + '; it shrank while being read');
    hash.update(buf.subarray(0, n));
    offset += n;
  }
  parentPort.postMessage(hash.digest('hex'));
} finally {
  closeSync(fd);
}
`;

/** Hex sha256 of the first `length` bytes of `path`; the worker stops when `signal` fires. */
export function sha256OnWorker(path: string, length: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, length, blockBytes: HASH_BLOCK_BYTES } });
    const onAbort = () => void worker.terminate();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    worker.once('message', (hex: string) => {
      done();
      resolve(hex);
    });
    worker.once('error', (err) => {
      done();
      reject(new AppError('restore-hash', `Cannot restore "${path}": reading it for its sha256 failed: ${messageOf(err)}`, { hint: 'Check the disk and that nothing is writing to the file', cause: err }));
    });
    worker.once('exit', (code) => {
      done();
      if (code !== 0) reject(new AppError('restore-hash', `Cannot restore "${path}": the sha256 worker stopped (exit ${code})`, { hint: 'Run the restore again' }));
    });
  });
}
