import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyGroup, prefixRangeEnd } from './drill-expect.js';

test('keyGroup groups Kubernetes keys by resource and other keys by first segment', () => {
  assert.equal(keyGroup('/registry/pods/default/web-0'), '/registry/pods/');
  assert.equal(keyGroup('/registry/apiregistration.k8s.io/apiservices/v1.apps'), '/registry/apiregistration.k8s.io/');
  assert.equal(keyGroup('/registry/health'), '/registry/');
  assert.equal(keyGroup('/other/key'), '/other/');
  assert.equal(keyGroup('plain/key'), 'plain/');
  assert.equal(keyGroup('single'), 'single');
});

test('prefixRangeEnd increments the last byte below 0xff when given a prefix (etcd GetPrefixRangeEnd)', () => {
  assert.deepEqual([...prefixRangeEnd(Buffer.from('/a/'))], [...Buffer.from('/a0')]);
  assert.deepEqual([...prefixRangeEnd(Uint8Array.of(0x61, 0xff, 0xff))], [0x62]);
  assert.deepEqual([...prefixRangeEnd(Uint8Array.of(0xff))], [0]);
});
