/**
 * The Backend conformance suite against versitygw, an S3 server that verifies SigV4
 * signatures and has create-only writes (If-None-Match: *), plus what only such a server can
 * show: a wrong secret refused, two writers of one name, unfinished multipart uploads listed
 * and aborted. Skipped with the reason when the peer was not built (KK_PEERS=0); CI never skips.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { findVersitygw } from '../../../test/support/peers.js';
import { tempDir } from '../../../test/support/temp.js';
import { type VersitygwServer, startVersitygw } from '../../../test/support/versitygw.js';
import { StorageError } from '../errors.js';
import { listNames, loadBytes, pausedBody, runBackendConformance, testBytes } from '../testing.js';
import { createS3Backend } from './create-s3-backend.js';

const { peer: bin, missing } = findVersitygw();
let server: VersitygwServer;
let folders = 0;

before(async () => {
  if (bin) server = await startVersitygw({ bin });
});
after(() => server?.stop());

const MiB = 1024 * 1024;
const open = (folder = `case-${++folders}/repo`, env = server.env) =>
  createS3Backend({ bucket: server.bucket, folder, endpoint: server.endpoint, partSizeBytes: 5 * MiB }, env);

if (missing) {
  test('versitygw backend conformance', { skip: missing }, () => undefined);
} else {
  runBackendConformance('s3 (versitygw)', { create: () => open() });

  test('s3 backend is refused with access denied naming the credential source when the secret is wrong', async () => {
    const backend = await open('wrong-secret', { ...server.env, AWS_SECRET_ACCESS_KEY: `${server.secretAccessKey}x` });
    try {
      await assert.rejects(listNames(backend, 'manifest'), (err: unknown) => {
        assert.ok(err instanceof StorageError);
        assert.equal(err.code, 'storage-access-denied');
        assert.match(err.message, /access denied by endpoint http:\/\/127\.0\.0\.1:\d+ with the credentials from AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY \(SignatureDoesNotMatch\)/);
        assert.doesNotMatch(`${err.message} ${err.hint} ${String(err.cause)}`, new RegExp(server.secretAccessKey));
        return true;
      });
    } finally {
      await backend.close();
    }
  });

  test('s3 backend names the credentials file when the secret in it is wrong', async (t) => {
    const dir = await tempDir(t);
    const file = path.join(dir, 'creds');
    await writeFile(file, `[default]\naws_access_key_id = ${server.accessKeyId}\naws_secret_access_key = wrong-secret\n`, { mode: 0o600 });
    const backend = await createS3Backend({ bucket: server.bucket, folder: 'f', endpoint: server.endpoint, credentialsFile: file }, {});
    try {
      await assert.rejects(listNames(backend, 'data'), new RegExp(`access denied by endpoint .* with the credentials from the credentials file "${file}" \\(SignatureDoesNotMatch\\)`));
    } finally {
      await backend.close();
    }
  });

  test('s3 backend lets only one of two concurrent writers create a name when the server has If-None-Match', async () => {
    const a = await open('race/repo');
    const b = await open('race/repo');
    try {
      // Both pass the stat check before either completes: only the conditional write decides.
      const first = pausedBody(testBytes(1000, 1), testBytes(1000, 2));
      const second = pausedBody(testBytes(1000, 3), testBytes(1000, 4));
      const savingA = a.save({ type: 'manifest', name: 'n.json' }, first.body);
      const savingB = b.save({ type: 'manifest', name: 'n.json' }, second.body);
      await Promise.all([first.paused, second.paused]);
      first.release();
      second.release();
      const results = await Promise.allSettled([savingA, savingB]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1, 'exactly one writer created the object');
      assert.ok(lost[0]?.reason instanceof StorageError && lost[0].reason.code === 'storage-exists', String(lost[0]?.reason));
      const stored = await loadBytes(a, { type: 'manifest', name: 'n.json' });
      const winner = results[0]?.status === 'fulfilled' ? [1, 2] : [3, 4];
      assert.deepEqual(stored, new Uint8Array(Buffer.concat([testBytes(1000, winner[0]), testBytes(1000, winner[1])])));
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('s3 backend lists an unfinished multipart upload with its start time and aborts it', async () => {
    const backend = await open('unfinished/repo');
    const other = await open('elsewhere/repo');
    try {
      const body = pausedBody(testBytes(6 * MiB), testBytes(10));
      const controller = new AbortController();
      // Started (first part stored), then left: the process that owned it is gone.
      const saving = backend.save({ type: 'data', name: 'cut.snapshot.db' }, body.body, { signal: controller.signal }).catch((e: unknown) => e);
      await body.paused;
      let uploads: Awaited<ReturnType<typeof collectUploads>> = [];
      for (let i = 0; i < 200 && uploads.length === 0; i++) {
        uploads = await collectUploads(backend);
        if (uploads.length === 0) await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(uploads.length, 1);
      assert.equal(uploads[0]?.type, 'data');
      assert.equal(uploads[0]?.name, 'cut.snapshot.db');
      assert.ok(uploads[0]?.startedAt instanceof Date);
      // Another repository in the same bucket does not see it.
      assert.deepEqual(await collectUploads(other), []);
      await backend.abortUnfinished?.(uploads[0] as NonNullable<(typeof uploads)[0]>);
      assert.deepEqual(await collectUploads(backend), []);
      // Aborting it again is not an error.
      await backend.abortUnfinished?.(uploads[0] as NonNullable<(typeof uploads)[0]>);
      controller.abort();
      body.release();
      await saving;
    } finally {
      await backend.close();
      await other.close();
    }
  });
}

async function collectUploads(backend: Awaited<ReturnType<typeof createS3Backend>>) {
  const out = [];
  for await (const u of backend.listUnfinished()) out.push(u);
  return out;
}


