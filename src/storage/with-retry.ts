/**
 * withRetry(backend): repeats operations that failed with a transient StorageError
 * (connection refused or reset, timeouts, 5xx), with exponential backoff and jitter, like
 * restic's RetryBackend. What is retried:
 * - stat, remove: the whole call.
 * - load: the whole call; `consume` starts again from scratch (the Backend contract).
 * - list: restarted; names already yielded are not yielded twice.
 * - save: only when the body is replayable (replayableBody) or was never read; a one-pass
 *   stream (a snapshot from etcd) is not replayable, and the caller decides what to do.
 * Permanent errors (not found, access denied, a bad body) pass through at once.
 */
import { AbortedError, throwIfAborted } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import type { Backend, FileInfo, FileType, Handle, LoadOptions, OperationOptions, SaveResult, UnfinishedUpload } from './backend.js';
import { isReplayable } from './body.js';
import { isTransient } from './errors.js';

export interface RetryOptions {
  /** Total tries per operation, including the first; default 4. */
  attempts?: number;
  /** First delay; doubles each retry up to maxDelayMs. Default 500 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  logger?: Logger;
  /** Injected for tests: waits `ms` or rejects with AbortedError when `signal` fires. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** Injected for tests: a number in [0, 1) for jitter. */
  random?: () => number;
}

export const DEFAULT_RETRY_ATTEMPTS = 4;

/** Waits `ms`, rejecting with AbortedError as soon as `signal` fires. */
export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError('Waiting to retry'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('Waiting to retry'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function withRetry(backend: Backend, options: RetryOptions = {}): Backend {
  const attempts = Math.max(1, options.attempts ?? DEFAULT_RETRY_ATTEMPTS);
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 15_000;
  const logger = options.logger ?? silentLogger;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;

  // Exponential backoff with half jitter: spreads the retries of many clients after an outage.
  const delayFor = (attempt: number) => Math.round(Math.min(max, base * 2 ** (attempt - 1)) * (0.5 + random() / 2));
  const note = (operation: string, attempt: number, delayMs: number, err: unknown) =>
    logger.log('warn', 'storage.retry', { operation, location: backend.location, attempt, delayMs, error: (err as { code?: string }).code });

  /** Runs `op` until it succeeds, fails permanently, or runs out of attempts. */
  async function retry<T>(what: string, signal: AbortSignal | undefined, op: () => Promise<T>, canRetry: () => boolean = () => true): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        if (attempt >= attempts || !isTransient(err) || !canRetry()) throw err;
        throwIfAborted(signal, what);
        const delayMs = delayFor(attempt);
        note(what, attempt, delayMs, err);
        await sleep(delayMs, signal);
      }
    }
  }

  return {
    location: backend.location,
    save(handle: Handle, body: AsyncIterable<Uint8Array>, opts: OperationOptions = {}): Promise<SaveResult> {
      let pulled = false;
      const replayable = isReplayable(body);
      const guarded: AsyncIterable<Uint8Array> = replayable ? body : {
        [Symbol.asyncIterator]() {
          pulled = true;
          return body[Symbol.asyncIterator]();
        },
      };
      return retry(`save ${handle.type}/${handle.name}`, opts.signal, () => backend.save(handle, guarded, opts), () => replayable || !pulled);
    },
    load<T>(handle: Handle, consume: (stream: AsyncIterable<Uint8Array>) => Promise<T>, opts: LoadOptions = {}): Promise<T> {
      return retry(`load ${handle.type}/${handle.name}`, opts.signal, () => backend.load(handle, consume, opts));
    },
    stat(handle: Handle, opts: OperationOptions = {}): Promise<FileInfo> {
      return retry(`stat ${handle.type}/${handle.name}`, opts.signal, () => backend.stat(handle, opts));
    },
    async *list(type: FileType, opts: OperationOptions = {}): AsyncIterable<FileInfo> {
      const seen = new Set<string>();
      for (let attempt = 1; ; attempt++) {
        try {
          for await (const info of backend.list(type, opts)) {
            if (seen.has(info.name)) continue;
            seen.add(info.name);
            yield info;
          }
          return;
        } catch (err) {
          if (attempt >= attempts || !isTransient(err)) throw err;
          throwIfAborted(opts.signal, `list ${type}`);
          const delayMs = delayFor(attempt);
          note(`list ${type}`, attempt, delayMs, err);
          await sleep(delayMs, opts.signal);
        }
      }
    },
    remove(handle: Handle, opts: OperationOptions = {}): Promise<void> {
      return retry(`remove ${handle.type}/${handle.name}`, opts.signal, () => backend.remove(handle, opts));
    },
    ...(backend.listUnfinished ? {
      // A listing that fails is retried whole: uploads are few, duplicates are dropped by ID.
      async *listUnfinished(opts: OperationOptions = {}): AsyncIterable<UnfinishedUpload> {
        const all = await retry('list unfinished uploads', opts.signal, async () => {
          const out: UnfinishedUpload[] = [];
          for await (const upload of (backend.listUnfinished as NonNullable<Backend['listUnfinished']>)(opts)) out.push(upload);
          return out;
        });
        yield* all;
      },
    } : {}),
    ...(backend.abortUnfinished ? {
      abortUnfinished: (upload: UnfinishedUpload, opts: OperationOptions = {}) =>
        retry(`abort upload ${upload.type}/${upload.name}`, opts.signal, () => (backend.abortUnfinished as NonNullable<Backend['abortUnfinished']>)(upload, opts)),
    } : {}),
    close: () => backend.close(),
    ...(backend.sweepTemporaries ? { sweepTemporaries: backend.sweepTemporaries.bind(backend) } : {}),
  };
}
