import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { chunksOf, listNames, runBackendConformance, testBytes } from '../testing.js';
import { LocalBackend } from './local-backend.js';

const roots: string[] = [];
after(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

async function freshRoot(): Promise<string> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'kk-local-'));
  roots.push(parent);
  // A repository directory that does not exist yet: the first save creates it.
  return path.join(parent, 'repo');
}

runBackendConformance('local', { create: async () => new LocalBackend(await freshRoot()) });

test('local backend writes 0600 files in 0700 directories when it creates the repository', async () => {
  const root = await freshRoot();
  const backend = new LocalBackend(root);
  await backend.save({ type: 'data', name: 'secret' }, chunksOf(testBytes(10), 3));
  assert.equal((await stat(root)).mode & 0o777, 0o700);
  assert.equal((await stat(path.join(root, 'data'))).mode & 0o777, 0o700);
  assert.equal((await stat(path.join(root, 'data', 'secret'))).mode & 0o777, 0o600);
});

test('local backend list ignores leftover temporary files when a save was cut short by a crash', async () => {
  const root = await freshRoot();
  await mkdir(path.join(root, 'data'), { recursive: true });
  await writeFile(path.join(root, 'data', '.tmp-half-abc123'), 'partial');
  const backend = new LocalBackend(root);
  assert.deepEqual(await listNames(backend, 'data'), []);
});

test('local backend removes its temporary file when the body fails', async () => {
  const root = await freshRoot();
  const backend = new LocalBackend(root);
  async function* body() {
    yield testBytes(100);
    throw new Error('stop');
  }
  await assert.rejects(backend.save({ type: 'data', name: 'x' }, body()), /stop/);
  assert.deepEqual(await readdir(path.join(root, 'data')), []);
});

test('local backend reports permission denied with a hint when the repository is not writable', { skip: process.getuid?.() === 0 ? 'root ignores file permissions' : false }, async () => {
  const root = await freshRoot();
  await mkdir(root, { mode: 0o500 });
  const backend = new LocalBackend(root);
  await assert.rejects(backend.save({ type: 'data', name: 'x' }, chunksOf(testBytes(1), 1)), (err: unknown) => {
    assert.equal((err as { code?: string }).code, 'storage-access-denied');
    assert.match((err as { hint?: string }).hint ?? '', /user who may write/);
    return true;
  });
});
