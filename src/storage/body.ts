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
