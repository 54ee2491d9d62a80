/**
 * The Backend conformance suite: the contract in backend.ts as tests. Every implementation
 * runs it (local.test.ts, memory.test.ts, s3.test.ts); a backend that cannot pass a case
 * skips it with a stated reason, which the test report shows.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { suite, test } from 'node:test';
import { AbortedError } from '../errors.js';
import type { Backend, Handle } from './backend.js';
import { NotFoundError, StorageError } from './errors.js';

export type ConformanceCase =
  | 'round-trip' | 'odd-chunks' | 'empty' | 'stat' | 'missing' | 'range' | 'list' | 'immutable'
  | 'body-error' | 'abort' | 'atomic' | 'remove' | 'invalid-name' | 'early-stop' | 'consume-error';

export interface ConformanceOptions {
  /** A fresh, empty backend for each case; closed by the suite. */
  create: () => Promise<Backend>;
  /** Cases this backend cannot pass, each with the reason shown in the report. */
  skip?: Partial<Record<ConformanceCase, string>>;
}

/** Deterministic pseudo-random bytes (no crypto RNG: failures must reproduce). */
export function testBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Yields `bytes` in pieces of `chunkBytes`. */
export async function* chunksOf(bytes: Uint8Array, chunkBytes: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
}

/** Reads a whole stream into one buffer (tests only: small data). */
export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  // A plain Uint8Array (not a Buffer) so deepEqual compares it with test data.
  return new Uint8Array(Buffer.concat(parts));
}

export async function loadBytes(backend: Backend, handle: Handle): Promise<Uint8Array> {
  return backend.load(handle, collect);
}

export async function listNames(backend: Backend, type: Handle['type']): Promise<string[]> {
  const names: string[] = [];
  for await (const info of backend.list(type)) names.push(info.name);
  return names.sort();
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A body that yields `head`, then waits until `release()` before yielding `tail`. */
export function pausedBody(head: Uint8Array, tail: Uint8Array) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const paused = new Promise<void>((resolve) => (reached = resolve));
  async function* body() {
    yield head;
    reached();
    await gate;
    yield tail;
  }
  return { body: body(), paused, release };
}

export type FaultOperation = 'save' | 'load' | 'load-stream' | 'stat' | 'list' | 'remove';

/**
 * A fake for tests of code above storage: wraps a backend and throws the queued errors, one
 * per call of the operation ('load-stream' fails a load after its first chunk). `calls`
 * counts every call.
 */
export function withFaults(backend: Backend, faults: Partial<Record<FaultOperation, unknown[]>>) {
  const calls: Record<FaultOperation, number> = { save: 0, load: 0, 'load-stream': 0, stat: 0, list: 0, remove: 0 };
  const next = (op: FaultOperation) => {
    calls[op]++;
    const queue = faults[op];
    if (queue && queue.length > 0) throw queue.shift();
  };
  const faulty: Backend & { calls: typeof calls } = {
    calls,
    location: backend.location,
    async save(handle, body, options) {
      next('save');
      return backend.save(handle, body, options);
    },
    async load(handle, consume, options) {
      next('load');
      const midStream = faults['load-stream']?.shift();
      return backend.load(handle, (stream) => consume(midStream === undefined ? stream : (async function* () {
        for await (const chunk of stream) {
          yield chunk;
          throw midStream;
        }
      })()), options);
    },
    async stat(handle, options) {
      next('stat');
      return backend.stat(handle, options);
    },
    async *list(type, options) {
      next('list');
      yield* backend.list(type, options);
    },
    async remove(handle, options) {
      next('remove');
      return backend.remove(handle, options);
    },
    close: () => backend.close(),
  };
  return faulty;
}

/** Registers the suite under `name`. */
export function runBackendConformance(name: string, options: ConformanceOptions): void {
  const skip = options.skip ?? {};
  const it = (key: ConformanceCase, title: string, fn: (b: Backend) => Promise<void>) => {
    const reason = skip[key];
    test(title, reason ? { skip: reason } : {}, async () => {
      const backend = await options.create();
      try {
        await fn(backend);
      } finally {
        await backend.close();
      }
    });
  };
  const data = (n: string): Handle => ({ type: 'data', name: n });

  suite(`${name} backend conformance`, () => {
    it('round-trip', 'save then load returns the same bytes when the object is several MiB', async (b) => {
      const bytes = testBytes(6 * 1024 * 1024 + 3);
      const result = await b.save(data('big.bin'), chunksOf(bytes, 64 * 1024));
      assert.equal(result.sizeBytes, bytes.length);
      assert.equal(sha(await loadBytes(b, data('big.bin'))), sha(bytes));
    });

    it('odd-chunks', 'save and load keep every byte when the body comes in 1, 511 and 513 byte chunks', async (b) => {
      for (const size of [1, 511, 513]) {
        const bytes = testBytes(5000 + size, size);
        await b.save(data(`odd-${size}`), chunksOf(bytes, size));
        assert.deepEqual(await loadBytes(b, data(`odd-${size}`)), bytes);
      }
    });

    it('empty', 'save stores an empty object when the body yields nothing', async (b) => {
      await b.save(data('empty'), chunksOf(new Uint8Array(0), 1));
      assert.equal((await b.stat(data('empty'))).sizeBytes, 0);
      assert.equal((await loadBytes(b, data('empty'))).length, 0);
    });

    it('stat', 'stat reports the stored size when the object exists', async (b) => {
      await b.save(data('s'), chunksOf(testBytes(1234), 100));
      const info = await b.stat(data('s'));
      assert.equal(info.name, 's');
      assert.equal(info.sizeBytes, 1234);
    });

    it('missing', 'stat and load reject with NotFoundError when the object is missing, without calling consume', async (b) => {
      await assert.rejects(b.stat(data('nope')), NotFoundError);
      let called = false;
      await assert.rejects(b.load(data('nope'), async () => (called = true)), NotFoundError);
      assert.equal(called, false);
    });

    it('range', 'load returns exactly the requested range when offset and length are given', async (b) => {
      const bytes = testBytes(10_000);
      await b.save(data('r'), chunksOf(bytes, 999));
      assert.deepEqual(await b.load(data('r'), collect, { offset: 10, length: 20 }), bytes.subarray(10, 30));
      assert.deepEqual(await b.load(data('r'), collect, { offset: 9_990 }), bytes.subarray(9_990));
      assert.deepEqual(await b.load(data('r'), collect, { offset: 0, length: 1 }), bytes.subarray(0, 1));
    });

    it('list', 'list yields each object of a type once and keeps types apart', async (b) => {
      assert.deepEqual(await listNames(b, 'data'), []);
      await b.save(data('a'), chunksOf(testBytes(10), 3));
      await b.save(data('b'), chunksOf(testBytes(20), 3));
      await b.save({ type: 'manifest', name: 'a' }, chunksOf(testBytes(5), 3));
      assert.deepEqual(await listNames(b, 'data'), ['a', 'b']);
      assert.deepEqual(await listNames(b, 'manifest'), ['a']);
      const sizes: Record<string, number> = {};
      for await (const info of b.list('data')) sizes[info.name] = info.sizeBytes;
      assert.deepEqual(sizes, { a: 10, b: 20 });
    });

    it('immutable', 'save refuses an existing name and keeps the stored bytes', async (b) => {
      const first = testBytes(100, 7);
      await b.save(data('x'), chunksOf(first, 10));
      await assert.rejects(b.save(data('x'), chunksOf(testBytes(50, 8), 10)), (err: unknown) => err instanceof StorageError && err.code === 'storage-exists');
      assert.deepEqual(await loadBytes(b, data('x')), first);
    });

    it('body-error', 'save leaves nothing behind and rethrows the same error when the body fails midway', async (b) => {
      const boom = new Error('body failed');
      async function* body() {
        yield testBytes(6 * 1024 * 1024);
        throw boom;
      }
      await assert.rejects(b.save(data('broken'), body()), (err: unknown) => err === boom);
      await assert.rejects(b.stat(data('broken')), NotFoundError);
      assert.deepEqual(await listNames(b, 'data'), []);
    });

    it('abort', 'save rejects with AbortedError and leaves nothing when the signal fires midway', async (b) => {
      const controller = new AbortController();
      const { body, paused, release } = pausedBody(testBytes(1000), testBytes(1000, 2));
      const saving = b.save(data('aborted'), body, { signal: controller.signal });
      await paused;
      controller.abort();
      release();
      await assert.rejects(saving, AbortedError);
      await assert.rejects(b.stat(data('aborted')), NotFoundError);
      assert.deepEqual(await listNames(b, 'data'), []);
    });

    it('atomic', 'stat and list do not see an object while its save is still in progress', async (b) => {
      const { body, paused, release } = pausedBody(testBytes(1000), testBytes(1000, 2));
      const saving = b.save(data('slow'), body);
      await paused;
      await assert.rejects(b.stat(data('slow')), NotFoundError);
      assert.deepEqual(await listNames(b, 'data'), []);
      release();
      await saving;
      assert.equal((await b.stat(data('slow'))).sizeBytes, 2000);
    });

    it('remove', 'remove deletes an object and is a no-op when the object is missing', async (b) => {
      await b.save(data('gone'), chunksOf(testBytes(10), 4));
      await b.remove(data('gone'));
      await assert.rejects(b.stat(data('gone')), NotFoundError);
      await b.remove(data('gone'));
      assert.deepEqual(await listNames(b, 'data'), []);
    });

    it('invalid-name', 'every operation rejects a name that could escape the repository', async (b) => {
      for (const bad of ['../x', 'a/b', '.hidden', '', 'x'.repeat(201)]) {
        const invalid = (err: unknown) => err instanceof StorageError && err.code === 'storage-invalid-name';
        await assert.rejects(b.save(data(bad), chunksOf(testBytes(1), 1)), invalid);
        await assert.rejects(b.stat(data(bad)), invalid);
        await assert.rejects(b.load(data(bad), collect), invalid);
        await assert.rejects(b.remove(data(bad)), invalid);
      }
    });

    it('early-stop', 'load closes the stream when consume stops reading early', async (b) => {
      await b.save(data('partial'), chunksOf(testBytes(3 * 1024 * 1024), 64 * 1024));
      const first = await b.load(data('partial'), async (stream) => {
        for await (const chunk of stream) return chunk.length;
        return 0;
      });
      assert.ok(first > 0);
      // The backend is still usable: a later load and remove succeed.
      assert.equal((await loadBytes(b, data('partial'))).length, 3 * 1024 * 1024);
      await b.remove(data('partial'));
    });

    it('consume-error', 'load rejects with the error consume threw', async (b) => {
      await b.save(data('c'), chunksOf(testBytes(10), 4));
      const mine = new Error('consumer failed');
      await assert.rejects(b.load(data('c'), async () => { throw mine; }), (err: unknown) => err === mine);
    });
  });
}
