import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortedError } from '../errors.js';
import { replayableBody } from './body.js';
import { NotFoundError, StorageError } from './errors.js';
import { MemoryBackend } from './memory/memory-backend.js';
import { chunksOf, collect, listNames, runBackendConformance, testBytes, withFaults } from './testing.js';
import { withRetry } from './with-retry.js';

const noSleep = async () => undefined;
const transient = () => new StorageError('storage-unavailable', 'connection refused', { transient: true });
const handle = { type: 'data', name: 'x' } as const;

runBackendConformance('withRetry(memory)', { create: async () => withRetry(new MemoryBackend(), { sleep: noSleep }) });

test('withRetry repeats stat and remove when they fail with transient errors', async () => {
  const memory = new MemoryBackend();
  await memory.save(handle, chunksOf(testBytes(10), 3));
  const faulty = withFaults(memory, { stat: [transient(), transient()], remove: [transient()] });
  const backend = withRetry(faulty, { sleep: noSleep });
  assert.equal((await backend.stat(handle)).sizeBytes, 10);
  assert.equal(faulty.calls.stat, 3);
  await backend.remove(handle);
  assert.equal(faulty.calls.remove, 2);
});

test('withRetry gives up after the configured attempts and rethrows the last error', async () => {
  const faulty = withFaults(new MemoryBackend(), { stat: [transient(), transient(), transient()] });
  const backend = withRetry(faulty, { attempts: 3, sleep: noSleep });
  await assert.rejects(backend.stat(handle), (err: unknown) => err instanceof StorageError && err.code === 'storage-unavailable');
  assert.equal(faulty.calls.stat, 3);
});

test('withRetry does not retry permanent errors when the object is missing', async () => {
  const faulty = withFaults(new MemoryBackend(), {});
  await assert.rejects(withRetry(faulty, { sleep: noSleep }).stat(handle), NotFoundError);
  assert.equal(faulty.calls.stat, 1);
});

test('withRetry restarts a load from scratch when the stream breaks midway', async () => {
  const memory = new MemoryBackend();
  const bytes = testBytes(300_000);
  await memory.save(handle, chunksOf(bytes, 1000));
  const faulty = withFaults(memory, { 'load-stream': [transient()] });
  let consumed = 0;
  const got = await withRetry(faulty, { sleep: noSleep }).load(handle, (s) => {
    consumed++;
    return collect(s);
  });
  assert.equal(consumed, 2);
  assert.deepEqual(got, bytes);
});

test('withRetry retries the save of a replayable body and stores it once', async () => {
  const memory = new MemoryBackend();
  const faulty = withFaults(memory, { save: [transient()] });
  await withRetry(faulty, { sleep: noSleep }).save(handle, replayableBody(testBytes(100), 7));
  assert.equal(faulty.calls.save, 2);
  assert.deepEqual(await memory.load(handle, collect), testBytes(100));
});

test('withRetry does not retry a one-pass stream once the backend has read it', async () => {
  const memory = new MemoryBackend();
  let calls = 0;
  const failing = { ...memory, location: memory.location, save: async (_h: unknown, body: AsyncIterable<Uint8Array>) => {
    calls++;
    for await (const _ of body) break;
    throw transient();
  } } as unknown as MemoryBackend;
  await assert.rejects(withRetry(failing, { sleep: noSleep }).save(handle, chunksOf(testBytes(10), 5)), StorageError);
  assert.equal(calls, 1);
});

test('withRetry retries a one-pass stream when the first attempt failed before reading it', async () => {
  const memory = new MemoryBackend();
  const faulty = withFaults(memory, { save: [transient()] });
  await withRetry(faulty, { sleep: noSleep }).save(handle, chunksOf(testBytes(10), 5));
  assert.equal(faulty.calls.save, 2);
});

test('withRetry restarts a listing without yielding a name twice', async () => {
  const memory = new MemoryBackend();
  for (const name of ['a', 'b']) await memory.save({ type: 'data', name }, chunksOf(testBytes(1), 1));
  const faulty = withFaults(memory, { list: [transient()] });
  assert.deepEqual(await listNames(withRetry(faulty, { sleep: noSleep }), 'data'), ['a', 'b']);
  assert.equal(faulty.calls.list, 2);
});

test('withRetry stops waiting and rejects with AbortedError when the signal fires during backoff', async () => {
  const faulty = withFaults(new MemoryBackend(), { stat: [transient(), transient()] });
  const controller = new AbortController();
  const backend = withRetry(faulty, { baseDelayMs: 60_000 });
  const pending = backend.stat(handle, { signal: controller.signal });
  controller.abort();
  await assert.rejects(pending, AbortedError);
});

test('withRetry logs each retry with the operation and delay, never the error message', async () => {
  const events: Record<string, unknown>[] = [];
  const faulty = withFaults(new MemoryBackend(), { stat: [transient()] });
  await assert.rejects(withRetry(faulty, { sleep: noSleep, random: () => 0, baseDelayMs: 100, logger: { log: (_l, event, f) => void events.push({ event, ...f }) } }).stat(handle), NotFoundError);
  assert.deepEqual(events, [{ event: 'storage.retry', operation: 'stat data/x', location: 'memory:', attempt: 1, delayMs: 50, error: 'storage-unavailable' }]);
});
