import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AbortedError, AppError } from '../errors.js';
import { tempDir } from '../../test/support/temp.js';
import { startRestoreWorker } from './snapshot-restore-hash.js';
import { allocateFile } from './snapshot-restore-write.js';

/** A file of `bytes` random bytes (several of the worker's 4 MiB blocks, and a partial one). */
function sourceFile(dir: string, bytes: number): { file: string; content: Buffer } {
  const content = randomBytes(bytes);
  const file = path.join(dir, 'source');
  writeFileSync(file, content);
  return { file, content };
}

test('the worker copies the file byte for byte and hashes the first hashBytes bytes, durable or not', async (t) => {
  const dir = await tempDir(t);
  const { file, content } = sourceFile(dir, 9 * 1024 * 1024 + 123);
  for (const durable of [true, false]) {
    const copyTo = path.join(dir, `copy-${durable}`);
    writeFileSync(copyTo, '', { mode: 0o600 });
    const worker = startRestoreWorker(file, { hashBytes: content.length - 32, copyTo, durable });
    await worker.copied;
    assert.equal(await worker.sha256, createHash('sha256').update(content.subarray(0, content.length - 32)).digest('hex'));
    assert.ok(readFileSync(copyTo).equals(content), `copy (durable ${durable}) equals the source`);
  }
});

test('without a copy the worker only hashes; without a hash it only copies', async (t) => {
  const dir = await tempDir(t);
  const { file, content } = sourceFile(dir, 100_000);
  const hashOnly = startRestoreWorker(file, { hashBytes: content.length });
  await hashOnly.copied;
  assert.equal(await hashOnly.sha256, createHash('sha256').update(content).digest('hex'));
  const copyTo = path.join(dir, 'copy');
  writeFileSync(copyTo, '', { mode: 0o600 });
  const copyOnly = startRestoreWorker(file, { hashBytes: 0, copyTo, durable: true });
  await copyOnly.copied;
  assert.equal(await copyOnly.sha256, undefined);
  assert.ok(readFileSync(copyTo).equals(content));
});

test('a copy that cannot be made fails both promises with the target named', async (t) => {
  const dir = await tempDir(t);
  const { file, content } = sourceFile(dir, 100_000);
  const copyTo = path.join(dir, 'missing-dir', 'db');
  const worker = startRestoreWorker(file, { hashBytes: content.length, copyTo, durable: true });
  await assert.rejects(worker.copied, (err: unknown) => err instanceof AppError && err.code === 'restore-write' && err.message.includes(copyTo));
  await assert.rejects(worker.sha256, (err: unknown) => err instanceof AppError && err.code === 'restore-write');
});

test('a file shorter than hashBytes fails the hash, naming the offset', async (t) => {
  const dir = await tempDir(t);
  const { file } = sourceFile(dir, 5 * 1024 * 1024);
  const worker = startRestoreWorker(file, { hashBytes: 6 * 1024 * 1024 });
  await assert.rejects(worker.sha256, (err: unknown) => err instanceof AppError && err.code === 'restore-hash' && /ended at 5242880/.test(err.message));
});

test('stop() ends the hash early but lets a running copy finish before it resolves', async (t) => {
  const dir = await tempDir(t);
  const { file, content } = sourceFile(dir, 64 * 1024 * 1024);
  const copyTo = path.join(dir, 'copy');
  writeFileSync(copyTo, '', { mode: 0o600 });
  const worker = startRestoreWorker(file, { hashBytes: content.length, copyTo, durable: false });
  await worker.stop();
  await assert.rejects(worker.sha256, (err: unknown) => err instanceof AppError && err.code === 'restore-stopped');
  // The worker has exited: nothing writes to the copy any more; a copy it had started is whole.
  const size = readFileSync(copyTo).length;
  assert.ok(size === 0 || size === content.length, `copy is empty or complete, not ${size} bytes`);
});

test('allocateFile allocates the blocks of a sparse file, with fallocate(1) or, without it, by writing zeros', async (t) => {
  const dir = await tempDir(t);
  for (const program of ['fallocate', 'kubekeeper-no-such-program']) {
    const file = path.join(dir, program);
    const head = randomBytes(1000);
    writeFileSync(file, head, { mode: 0o600 });
    truncateSync(file, 8_000_000);
    assert.ok(statSync(file).blocks * 512 < 1_000_000, 'sparse before');
    await allocateFile(file, head.length, 8_000_000, program);
    const info = statSync(file);
    assert.ok(info.blocks * 512 >= 8_000_000, `${program}: ${info.blocks * 512} bytes allocated`);
    const bytes = readFileSync(file);
    assert.equal(bytes.length, 8_000_000);
    assert.ok(bytes.subarray(0, head.length).equals(head), 'the head is kept');
    assert.ok(bytes.subarray(head.length).every((b) => b === 0), 'the rest is zeros');
  }
});

test('an abort (Ctrl-C) fails the copy and the hash with AbortedError, not as a stop', async (t) => {
  const dir = await tempDir(t);
  const { file, content } = sourceFile(dir, 64 * 1024 * 1024);
  const copyTo = path.join(dir, 'copy');
  writeFileSync(copyTo, '', { mode: 0o600 });
  const controller = new AbortController();
  const worker = startRestoreWorker(file, { hashBytes: content.length, copyTo, durable: false, signal: controller.signal });
  controller.abort();
  await assert.rejects(worker.copied, (err: unknown) => err instanceof AbortedError);
  await assert.rejects(worker.sha256, (err: unknown) => err instanceof AbortedError);
  await worker.stop();
});
