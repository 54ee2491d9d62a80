/**
 * What the S3 client puts on the wire, captured after signing (no server: the request is
 * stopped before it is sent).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeadObjectCommand, PutObjectCommand, type S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { createS3Backend } from './create-s3-backend.js';

const ENV = { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret-test' };

/** Sends `command` and returns the signed request's headers instead of sending it. */
async function signedHeaders(command: unknown): Promise<Record<string, string>> {
  const backend = await createS3Backend({ bucket: 'bench', folder: 'f', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }, ENV);
  const client = (backend as unknown as { client: S3Client }).client;
  let headers: Record<string, string> | undefined;
  client.middlewareStack.add(
    () => async (args) => {
      headers = (args.request as { headers: Record<string, string> }).headers;
      throw new Error('captured');
    },
    { step: 'deserialize', name: 'captureSignedRequest', priority: 'low' },
  );
  await assert.rejects(client.send(command as never), /captured/);
  await backend.close();
  assert.ok(headers, 'the request reached the capture middleware');
  return headers;
}

test('S3 client sends data parts as UNSIGNED-PAYLOAD when uploading a part', async () => {
  const headers = await signedHeaders(new UploadPartCommand({ Bucket: 'bench', Key: 'f/data/x', UploadId: 'u', PartNumber: 1, Body: Buffer.alloc(1024, 7) }));
  assert.equal(headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
  // Still signed, with the payload header among the signed ones.
  assert.match(headers.authorization ?? '', /SignedHeaders=[^,]*x-amz-content-sha256/);
});

test('S3 client sends a single-part object as UNSIGNED-PAYLOAD when putting an object', async () => {
  const headers = await signedHeaders(new PutObjectCommand({ Bucket: 'bench', Key: 'f/data/y', Body: Buffer.alloc(10, 1) }));
  assert.equal(headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
});

test('S3 client keeps the hashed payload when the command carries no data', async () => {
  const headers = await signedHeaders(new HeadObjectCommand({ Bucket: 'bench', Key: 'f/data/y' }));
  assert.match(headers['x-amz-content-sha256'] ?? '', /^[0-9a-f]{64}$/);
});
