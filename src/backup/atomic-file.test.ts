import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { AbortedError, AppError } from '../errors.js';
import { checkWritableTarget, FileExistsError, writeFileAtomic } from './atomic-file.js';

async function dir(t: TestContext): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'kk-atomic-'));
  t.after(() => rm(d, { recursive: true, force: true }));
  return d;
}

function bytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

async function* chunks(data: Uint8Array, size: number, failAt?: number): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < data.length; o += size) {
    if (failAt !== undefined && o >= failAt) throw new AppError('source-failed', 'source broke');
    yield data.subarray(o, o + size);
  }
}

test('writeFileAtomic writes every byte in order for odd chunk sizes, with mode 0600', async (t) => {
  const d = await dir(t);
  const data = bytes(3 * 1024 * 1024 + 17);
  for (const size of [1, 511, 513, 32 * 1024]) {
    const file = path.join(d, `f${size}.db`);
    const source = size === 1 ? chunks(data.subarray(0, 70_000), 1) : chunks(data, size);
    const { sizeBytes } = await writeFileAtomic(file, source);
    const expected = size === 1 ? data.subarray(0, 70_000) : data;
    assert.equal(sizeBytes, expected.length);
    assert.ok(Buffer.from(await readFile(file)).equals(expected), `content for chunk size ${size}`);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  }
  assert.deepEqual((await readdir(d)).filter((f) => f.endsWith('.part')), []);
});

test('writeFileAtomic refuses an existing file and keeps it, unless overwrite is set', async (t) => {
  const d = await dir(t);
  const file = path.join(d, 'x.db');
  await writeFile(file, 'old');
  await assert.rejects(writeFileAtomic(file, chunks(bytes(10), 3)), FileExistsError);
  assert.equal(await readFile(file, 'utf8'), 'old');
  await writeFileAtomic(file, chunks(bytes(10), 3), { overwrite: true });
  assert.equal((await readFile(file)).length, 10);
});

test('writeFileAtomic removes the .part file and creates nothing when the source fails', async (t) => {
  const d = await dir(t);
  const file = path.join(d, 'x.db');
  await assert.rejects(writeFileAtomic(file, chunks(bytes(5 * 1024 * 1024), 64 * 1024, 3 * 1024 * 1024)), { code: 'source-failed' });
  assert.deepEqual(await readdir(d), []);
});

test('writeFileAtomic stops with AbortedError and leaves nothing when the signal fires', async (t) => {
  const d = await dir(t);
  const controller = new AbortController();
  async function* slow(): AsyncGenerator<Uint8Array> {
    yield bytes(100);
    controller.abort();
    yield bytes(100);
  }
  await assert.rejects(writeFileAtomic(path.join(d, 'x.db'), slow(), { signal: controller.signal }), AbortedError);
  assert.deepEqual(await readdir(d), []);
});

test('writeFileAtomic refuses to reuse a .part left behind and names it in the hint', async (t) => {
  const d = await dir(t);
  await writeFile(path.join(d, 'x.db.part'), 'stale');
  await assert.rejects(writeFileAtomic(path.join(d, 'x.db'), chunks(bytes(10), 3)), (err: AppError) => err.code === 'file-exists' && /x\.db\.part/.test(err.hint ?? ''));
});

test('writeFileAtomic and checkWritableTarget explain a missing directory and a path under a file', async (t) => {
  const d = await dir(t);
  await writeFile(path.join(d, 'plain-file'), 'x');
  const missing = path.join(d, 'no', 'such', 'x.db');
  await assert.rejects(writeFileAtomic(missing, chunks(bytes(10), 3)), (err: AppError) => err.code === 'write-failed' && /does not exist/.test(err.message) && /mkdir -p/.test(err.hint ?? ''));
  await assert.rejects(checkWritableTarget(missing), (err: AppError) => err.code === 'write-failed' && /ENOENT/.test(err.message));
  const underFile = path.join(d, 'plain-file', 'x.db');
  await assert.rejects(checkWritableTarget(underFile), (err: AppError) => err.code === 'write-failed' && /not a directory/.test(err.message));
  await assert.rejects(writeFileAtomic(underFile, chunks(bytes(10), 3)), (err: AppError) => err.code === 'write-failed' && /ENOTDIR/.test(err.message));
});

test('checkWritableTarget refuses an existing file unless overwrite is set', async (t) => {
  const d = await dir(t);
  const file = path.join(d, 'x.db');
  await writeFile(file, 'x');
  await assert.rejects(checkWritableTarget(file, { action: 'save the snapshot' }), /Cannot save the snapshot: ".*x\.db" already exists/);
  await checkWritableTarget(file, { overwrite: true });
  await checkWritableTarget(path.join(d, 'new.db'));
});

test('writeFileAtomic with durable: false (scratch files) keeps the same content, mode and all-or-nothing rename', async (t) => {
  const d = await dir(t);
  const data = bytes(2 * 1024 * 1024 + 5);
  const file = path.join(d, 'scratch.db');
  assert.equal((await writeFileAtomic(file, chunks(data, 65_537), { durable: false })).sizeBytes, data.length);
  assert.ok(Buffer.from(await readFile(file)).equals(data));
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  await assert.rejects(writeFileAtomic(path.join(d, 'broken.db'), chunks(data, 65_536, 1024 * 1024), { durable: false }), { code: 'source-failed' });
  assert.deepEqual(await readdir(d), ['scratch.db']);
});

test('writeFileAtomic says which action was interrupted in a sentence when aborted', async (t) => {
  const controller = new AbortController();
  controller.abort();
  async function* body() {
    yield Buffer.from('x');
  }
  await assert.rejects(writeFileAtomic(path.join(await dir(t), 'snap.db'), body(), { signal: controller.signal, action: 'save the snapshot' }),
    (err: unknown) => err instanceof AbortedError && err.message === 'The attempt to save the snapshot was interrupted');
});
