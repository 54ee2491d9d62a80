/** Helpers for the bodies backends read: telling the body's own errors from the backend's. */

/** Remembers the error the wrapped body threw, so a backend can rethrow it unchanged. */
export class BodyTracker {
  error: unknown = undefined;
  failed = false;
  /** Bytes pulled from the body so far. */
  bytes = 0;

  async *wrap(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of body) {
        this.bytes += chunk.length;
        yield chunk;
      }
    } catch (err) {
      this.failed = true;
      this.error = err;
      throw err;
    }
  }

  /** True when `err` is the body's own failure (rethrow as is, do not wrap). */
  isBodyError(err: unknown): boolean {
    return this.failed && err === this.error;
  }
}

const REPLAYABLE = Symbol('kubekeeper.replayable');

/**
 * A body over bytes in memory that can be iterated again from the start, so withRetry() may
 * repeat a failed save (manifests). Streams from etcd cannot be replayed and are not retried
 * as a whole; the S3 SDK retries their parts, which it holds in memory.
 */
export function replayableBody(bytes: Uint8Array, chunkBytes = 1024 * 1024): AsyncIterable<Uint8Array> {
  return {
    [REPLAYABLE]: true,
    async *[Symbol.asyncIterator]() {
      for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
    },
  } as AsyncIterable<Uint8Array>;
}

export function isReplayable(body: AsyncIterable<Uint8Array>): boolean {
  return (body as { [REPLAYABLE]?: boolean })[REPLAYABLE] === true;
}
