/**
 * The conformance suite against a real S3-protocol server (s3rver on 127.0.0.1), plus the
 * S3-specific behaviour: multipart streaming, bucket and credential errors, custom CA.
 */
import { after, before } from 'node:test';
import { type S3Server, startS3Server } from '../../../test/support/s3.js';
import { runBackendConformance } from '../testing.js';
import { createS3Backend } from './create-s3-backend.js';

let server: S3Server;
let folders = 0;
before(async () => {
  server = await startS3Server();
});
after(() => server.stop());

runBackendConformance('s3 (s3rver)', {
  // One folder per case keeps cases apart on one server; 5 MiB parts (S3's minimum) make
  // the several-MiB cases go through multipart uploads.
  create: () => createS3Backend({ bucket: server.bucket, folder: `case-${++folders}/repo`, endpoint: server.endpoint, partSizeBytes: 5 * 1024 * 1024 }, server.env),
});
