import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { AbortedError, AppError } from '../errors.js';
import { workerOnce } from './worker-once.js';

const evalWorker = (source: string) => new Worker(source, { eval: true });
const options = {
  aborting: 'The test job',
  onReply: (reply: { ok: boolean; value: number }) => {
    if (!reply.ok) throw new AppError('test-refused', 'the worker refused');
    return reply.value * 2;
  },
  onFailure: (why: string) => new AppError('test-failed', `The test job failed: ${why}`),
};

test('workerOnce: the reply becomes the value, or the error onReply throws', async () => {
  assert.equal(await workerOnce(evalWorker("require('node:worker_threads').parentPort.postMessage({ ok: true, value: 21 })"), options), 42);
  await assert.rejects(workerOnce(evalWorker("require('node:worker_threads').parentPort.postMessage({ ok: false })"), options), { code: 'test-refused' });
});

test('workerOnce: a worker that throws or exits without a reply fails through onFailure', async () => {
  await assert.rejects(workerOnce(evalWorker("throw new Error('boom')"), options), (err: unknown) => err instanceof AppError && err.code === 'test-failed' && /boom/.test(err.message));
  await assert.rejects(workerOnce(evalWorker('process.exit(3)'), options), (err: unknown) => err instanceof AppError && /exit 3/.test(err.message));
});

test('workerOnce: an abort terminates the worker and rejects with AbortedError', async () => {
  const worker = evalWorker('setInterval(() => {}, 1000)');
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const controller = new AbortController();
  const job = workerOnce(worker, { ...options, signal: controller.signal });
  controller.abort();
  await assert.rejects(job, (err: unknown) => err instanceof AbortedError);
  await exited;
  const already = new AbortController();
  already.abort();
  await assert.rejects(workerOnce(evalWorker('setInterval(() => {}, 1000)'), { ...options, signal: already.signal }), (err: unknown) => err instanceof AbortedError);
});
