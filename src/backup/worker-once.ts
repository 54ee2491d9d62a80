/**
 * One job on a worker thread that answers with one message: the promise settles once, with
 * the reply (through `onReply`), a worker error or exit, or the abort of `signal`, which
 * terminates the worker. Used by the drill's key count and the point-in-time segment reader.
 */
import type { Worker } from 'node:worker_threads';
import { AbortedError, messageOf } from '../errors.js';

export interface WorkerOnceOptions<Reply, T> {
  signal?: AbortSignal;
  /** Names what was stopped, for the AbortedError ("The restore drill"). */
  aborting: string;
  /** The value (or the error to throw) of the worker's reply. */
  onReply: (reply: Reply) => T;
  /** The error for a worker that failed or exited without replying. */
  onFailure: (why: string, cause?: unknown) => Error;
}

/** Waits for `worker`'s single reply (see the file comment). */
export function workerOnce<Reply, T>(worker: Worker, options: WorkerOnceOptions<Reply, T>): Promise<T> {
  const { signal } = options;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => settle(() => {
      void worker.terminate();
      reject(new AbortedError(options.aborting));
    });
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: Reply) => settle(() => {
      try {
        resolve(options.onReply(reply));
      } catch (err) {
        reject(err);
      }
    }));
    worker.once('error', (err) => settle(() => reject(options.onFailure(messageOf(err), err))));
    worker.once('exit', (code) => settle(() => reject(options.onFailure(`the worker stopped (exit ${code})`))));
  });
}
