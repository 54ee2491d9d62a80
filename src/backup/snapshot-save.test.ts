import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { AppError } from '../errors.js';
import { fakeEtcdClient } from '../etcd/testing.js';
import { ChecksumMismatchError } from '../snapshot/index.js';
import { FileExistsError } from './atomic-file.js';
import { saveSnapshot } from './snapshot-save.js';

async function dir(t: TestContext): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'kk-save-'));
  t.after(() => rm(d, { recursive: true, force: true }));
  return d;
}

/** A stand-in bbolt image (4 pages) followed by its sha256, as etcd streams it. */
function snapshotBytes(): { stream: Uint8Array; sha256: string } {
  const image = new Uint8Array(4 * 4096).map((_, i) => (i * 13) & 0xff);
  const digest = createHash('sha256').update(image).digest();
  return { stream: Buffer.concat([image, digest]), sha256: digest.toString('hex') };
}

test('saveSnapshot writes the stream with its trailer and reports size, sha256, revision and member', async (t) => {
  const d = await dir(t);
  const { stream, sha256 } = snapshotBytes();
  const client = fakeEtcdClient({ snapshot: stream, chunkSizes: [511, 513, 1], revision: 42n });
  const progress: number[] = [];
  const result = await saveSnapshot({ client, path: path.join(d, 'a.db'), onProgress: (bytes) => progress.push(bytes) });
  assert.ok(Buffer.from(await readFile(path.join(d, 'a.db'))).equals(stream));
  assert.equal(result.sizeBytes, stream.length);
  assert.equal(result.sha256, sha256);
  assert.equal(result.revision, 42n);
  assert.equal(result.memberId, 0x8e9e05c52164694dn);
  assert.equal(result.endpoint, '127.0.0.1:2379');
  assert.equal(progress.at(-1), stream.length);
});

test('saveSnapshot leaves no file when the trailer does not match the data', async (t) => {
  const d = await dir(t);
  const { stream } = snapshotBytes();
  const corrupt = Uint8Array.from(stream);
  corrupt[100] = (corrupt[100] as number) ^ 1;
  await assert.rejects(saveSnapshot({ client: fakeEtcdClient({ snapshot: corrupt }), path: path.join(d, 'a.db') }), ChecksumMismatchError);
  assert.deepEqual(await readdir(d), []);
});

test('saveSnapshot leaves no file when the member dies part-way through the stream', async (t) => {
  const d = await dir(t);
  const { stream } = snapshotBytes();
  const client = fakeEtcdClient({ snapshot: stream, chunkSizes: [1000], failAfterBytes: 5000 });
  await assert.rejects(saveSnapshot({ client, path: path.join(d, 'a.db') }), (err: AppError) => err.code === 'etcd-connection-lost');
  assert.deepEqual(await readdir(d), []);
});

test('saveSnapshot refuses an existing file before streaming, and replaces it with force', async (t) => {
  const d = await dir(t);
  const file = path.join(d, 'a.db');
  await writeFile(file, 'keep me');
  const { stream } = snapshotBytes();
  const client = fakeEtcdClient({ snapshot: stream });
  await assert.rejects(saveSnapshot({ client, path: file }), FileExistsError);
  assert.equal(await readFile(file, 'utf8'), 'keep me');
  assert.equal(client.calls.snapshot, 0);
  await saveSnapshot({ client, path: file, force: true });
  assert.equal((await readFile(file)).length, stream.length);
});
