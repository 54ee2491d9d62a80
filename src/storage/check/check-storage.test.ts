import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { checkStorage } from './check-storage.js';

async function tempRepo(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kk-check-'));
  after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o700);
  return dir;
}

test('checkStorage passes on a private local directory and leaves it as it was', async () => {
  const dir = await tempRepo();
  const report = await checkStorage({ kind: 'local', path: dir }, { probeBytes: 1_000_003 });
  assert.equal(report.ok, true, JSON.stringify(report.checks));
  assert.deepEqual(report.checks.map((c) => [c.name, c.status]), [
    ['directory', 'ok'], ['put-get-list-delete', 'ok'], ['large-object', 'ok'], ['read-back', 'ok'], ['throughput', 'ok'], ['cleanup', 'ok'],
  ]);
  assert.deepEqual(await readdir(dir), []);
});

test('checkStorage warns on a directory others can read and on a missing one, and fails on a file', async () => {
  const dir = await tempRepo();
  await chmod(dir, 0o755);
  const open = await checkStorage({ kind: 'local', path: dir }, { probeBytes: 1000 });
  assert.equal(open.checks[0]?.status, 'warn');
  assert.equal(open.ok, true);
  const missing = await checkStorage({ kind: 'local', path: path.join(dir, 'nope') });
  assert.deepEqual(missing.checks.map((c) => c.status), ['warn']);
  assert.deepEqual(await readdir(dir), []);
});
