/**
 * S3 failure modes against s3rver in a child process: missing bucket, unknown credentials,
 * server down before and during an upload, untrusted TLS. What s3rver cannot show is
 * stated in the skipped tests' reasons.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { type S3Server, startS3Server } from '../../../test/support/s3.js';
import { generateTls } from '../../../test/support/tls.js';
import type { LogFields, Logger } from '../../logger.js';
import { StorageError } from '../errors.js';
import { chunksOf, listNames, loadBytes, testBytes } from '../testing.js';
import { createS3Backend } from './create-s3-backend.js';

const servers: S3Server[] = [];
after(() => Promise.all(servers.map((s) => s.stop())));

async function server(options: Parameters<typeof startS3Server>[0] = {}): Promise<S3Server> {
  const s = await startS3Server(options);
  servers.push(s);
  return s;
}

/** Polls s3rver's data dir until part 1 of a multipart upload is complete (its .md5 exists). */
async function waitForFirstPart(dir: string, bucket: string): Promise<void> {
  const uploads = path.join(dir, bucket, '._S3rver_uploads');
  for (let i = 0; i < 500; i++) {
    const ids = await readdir(uploads).catch(() => [] as string[]);
    for (const id of ids) {
      if ((await readdir(path.join(uploads, id)).catch(() => [] as string[])).includes('1.md5')) return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('s3rver never stored part 1');
}

const hasCode = (code: string) => (err: unknown) => {
  assert.ok(err instanceof StorageError, `expected StorageError, got ${String(err)}`);
  assert.equal(err.code, code);
  assert.ok(err.hint, 'a hint is given');
  return true;
};

function recordingLogger(): Logger & { events: { event: string; fields?: LogFields }[] } {
  const events: { event: string; fields?: LogFields }[] = [];
  return { events, log: (_level, event, fields) => void events.push({ event, fields }) };
}

test('s3 backend reports the missing bucket with a hint when the bucket does not exist', async () => {
  const s = await server();
  const backend = await createS3Backend({ bucket: 'no-such-bucket', folder: 'f', endpoint: s.endpoint }, s.env);
  try {
    await assert.rejects(backend.save({ type: 'data', name: 'x' }, chunksOf(testBytes(10), 5)), hasCode('storage-bucket-missing'));
    await assert.rejects(listNames(backend, 'manifest'), (err: unknown) => hasCode('storage-bucket-missing')(err) && /no-such-bucket/.test((err as Error).message));
  } finally {
    await backend.close();
  }
});

test('s3 backend reports access denied without echoing credentials when the access key is unknown', async () => {
  const s = await server();
  const env = { AWS_ACCESS_KEY_ID: 'AKIAWRONGKEYMARKER01', AWS_SECRET_ACCESS_KEY: 'secret-marker-do-not-print' };
  const backend = await createS3Backend({ bucket: s.bucket, folder: 'f', endpoint: s.endpoint }, env);
  try {
    await assert.rejects(listNames(backend, 'data'), (err: unknown) => {
      hasCode('storage-access-denied')(err);
      const all = `${(err as Error).message} ${(err as StorageError).hint} ${String((err as Error).cause)} ${(err as Error).stack}`;
      assert.doesNotMatch(all, /AKIAWRONGKEYMARKER01|secret-marker-do-not-print/);
      return true;
    });
  } finally {
    await backend.close();
  }
});


test('s3 backend fails fast with storage-unavailable (transient) when the server is down before the upload', async () => {
  const s = await server();
  await s.stop();
  const backend = await createS3Backend({ bucket: s.bucket, folder: 'f', endpoint: s.endpoint, maxAttempts: 1 }, s.env);
  try {
    await assert.rejects(backend.save({ type: 'data', name: 'x' }, chunksOf(testBytes(10), 5)), (err: unknown) => {
      hasCode('storage-unavailable')(err);
      assert.equal((err as StorageError).transient, true);
      assert.match((err as Error).message, /ECONNREFUSED/);
      return true;
    });
  } finally {
    await backend.close();
  }
});

test('s3 backend leaves no object and tries to abort the multipart upload when the server is killed mid-stream', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kk-s3-kill-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const first = await server({ dir });
  const logger = recordingLogger();
  const config = { bucket: first.bucket, folder: 'f', endpoint: first.endpoint, partSizeBytes: 5 * 1024 * 1024, maxAttempts: 2 };
  const backend = await createS3Backend(config, first.env, logger);
  let yielded = 0;
  async function* body() {
    for (let i = 0; i < 16; i++) {
      // Kill once the server holds the first part (5 MiB): the upload is mid-stream.
      if (i === 7) {
        await waitForFirstPart(dir, first.bucket);
        first.kill('SIGKILL');
        await first.exited;
      }
      yielded += 1;
      yield testBytes(1024 * 1024, i + 1);
    }
  }
  try {
    await assert.rejects(backend.save({ type: 'data', name: 'big' }, body()), hasCode('storage-unavailable'));
    assert.ok(yielded >= 7, 'the kill happened mid-stream');
    // The server is dead, so the abort fails; the attempt is logged for the operator.
    assert.ok(logger.events.some((e) => e.event === 'storage.s3.multipart-abort-failed'), 'an abort was attempted');
  } finally {
    await backend.close();
  }
  // Same data dir and port: whatever the dead server wrote is still there to be listed.
  const second = await server({ dir, port: first.port });
  const again = await createS3Backend({ ...config, endpoint: second.endpoint }, second.env);
  try {
    assert.deepEqual(await listNames(again, 'data'), []);
  } finally {
    await again.close();
  }
});

test('s3 backend sends AbortMultipartUpload when an upload fails after its first part', async () => {
  const s = await server();
  const logger = recordingLogger();
  const backend = await createS3Backend({ bucket: s.bucket, folder: 'f', endpoint: s.endpoint, partSizeBytes: 5 * 1024 * 1024 }, s.env, logger);
  async function* body() {
    yield testBytes(11 * 1024 * 1024);
    throw new Error('snapshot stream broke');
  }
  try {
    await assert.rejects(backend.save({ type: 'data', name: 'x' }, body()), /snapshot stream broke/);
    // s3rver has no AbortMultipartUpload (it answers 405), so the attempt is all we can see;
    // a real store deletes the parts.
    const abort = logger.events.find((e) => e.event.startsWith('storage.s3.multipart-abort'));
    assert.ok(abort, 'an abort was sent');
    assert.ok(abort.fields?.uploadId);
    assert.deepEqual(await listNames(backend, 'data'), []);
  } finally {
    await backend.close();
  }
});

test('s3 backend trusts a custom CA bundle and refuses the endpoint without it', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kk-s3-tls-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const tls = generateTls(dir);
  const s = await server({ tls: { keyFile: tls.serverKey, certFile: tls.serverCert } });
  const without = await createS3Backend({ bucket: s.bucket, folder: 'f', endpoint: s.endpoint, maxAttempts: 1 }, s.env);
  try {
    await assert.rejects(listNames(without, 'data'), (err: unknown) => hasCode('storage-config')(err) && /--s3-ca-file/.test((err as StorageError).hint ?? ''));
  } finally {
    await without.close();
  }
  const withCa = await createS3Backend({ bucket: s.bucket, folder: 'f', endpoint: s.endpoint, caFile: tls.caCert }, s.env);
  try {
    await withCa.save({ type: 'data', name: 'tls' }, chunksOf(testBytes(1000), 100));
    assert.deepEqual(await loadBytes(withCa, { type: 'data', name: 'tls' }), testBytes(1000));
  } finally {
    await withCa.close();
  }
});

test('createS3Backend asks the SDK for checksums only when required', async () => {
  const backend = await createS3Backend({ bucket: 'kk-test', folder: '', endpoint: 'http://127.0.0.1:1' }, { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
  try {
    const config = (backend as unknown as { client: { config: { requestChecksumCalculation(): Promise<string>; responseChecksumValidation(): Promise<string> } } }).client.config;
    assert.equal(await config.requestChecksumCalculation(), 'WHEN_REQUIRED');
    assert.equal(await config.responseChecksumValidation(), 'WHEN_REQUIRED');
  } finally {
    await backend.close();
  }
});
