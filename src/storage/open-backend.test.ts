import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StorageError } from './errors.js';
import { parseRepository } from './open-backend.js';

test('parseRepository reads a plain path and a file URL as local directories', () => {
  assert.deepEqual(parseRepository('/var/backups/kubekeeper'), { kind: 'local', path: '/var/backups/kubekeeper' });
  assert.deepEqual(parseRepository('file:///srv/kk'), { kind: 'local', path: '/srv/kk' });
  assert.equal(parseRepository('rel/dir').kind, 'local');
});

test('parseRepository reads bucket, folder and URL parameters of an s3 URL', () => {
  assert.deepEqual(parseRepository('s3://etcd-backups/prod/cluster-a/?endpoint=https://minio:9000&path-style=true&region=eu-west-1'), {
    kind: 's3', bucket: 'etcd-backups', folder: 'prod/cluster-a', endpoint: 'https://minio:9000', forcePathStyle: true, region: 'eu-west-1',
  });
  assert.deepEqual(parseRepository('s3://b-1'), { kind: 's3', bucket: 'b-1', folder: '' });
});

test('parseRepository lets explicit settings override URL parameters', () => {
  const loc = parseRepository('s3://b-1/f?endpoint=http://a:1', { endpoint: 'http://b:2', caFile: undefined });
  assert.equal(loc.kind === 's3' && loc.endpoint, 'http://b:2');
});

test('parseRepository rejects unknown schemes, unknown parameters and dot folders with a hint', () => {
  for (const bad of ['ftp://x/y', 's3://b-1/f?colour=blue', 's3://b-1/a/../b', '', 's3://b-1/f?path-style=maybe']) {
    assert.throws(() => parseRepository(bad), (err: unknown) => err instanceof StorageError && err.code === 'storage-config' && /--repo/.test(err.hint ?? ''), bad);
  }
});

test('parseRepository reads the S3 request bound and conditional writes from the URL, flags winning', () => {
  const loc = parseRepository('s3://b-1/f?timeout=1m30s&conditional-writes=false');
  assert.equal(loc.kind === 's3' && loc.timeoutMs, 90_000);
  assert.equal(loc.kind === 's3' && loc.conditionalWrites, false);
  const flagged = parseRepository('s3://b-1/f?timeout=90s', { timeoutMs: 5000 });
  assert.equal(flagged.kind === 's3' && flagged.timeoutMs, 5000);
  assert.throws(() => parseRepository('s3://b-1/f?timeout=soon'), /Invalid timeout "soon"/);
});
