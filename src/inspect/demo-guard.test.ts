import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeObject } from './encode-object.js';
import { isDemoObject } from './demo-guard.js';
import { sampleApp, sampleBase } from './sample-cluster.js';

const enc = new TextEncoder();

test('isDemoObject recognises every object demo load writes, whatever the app', () => {
  for (const e of [...sampleBase(), ...sampleApp({ name: 'shop', namespace: 'prod', image: 'shop:2', replicas: 3 })]) {
    assert.equal(isDemoObject(enc.encode(e.key), e.value), true, e.key);
  }
});

test('isDemoObject refuses a real object, a foreign value under a demo key and a non-Kubernetes key', () => {
  const real = encodeObject('v1', 'Secret', { name: 'db-credentials', namespace: 'default', uid: '5f0c1a52-8e2b-4c1e-9d0a-1b2c3d4e5f60', creationTimestamp: '2026-01-15T09:30:00Z' }, () => undefined);
  assert.equal(isDemoObject(enc.encode('/registry/secrets/default/db-credentials'), real), false);
  assert.equal(isDemoObject(enc.encode('/registry/secrets/kube-system/encryption-demo'), enc.encode('k8s:enc:aescbc:v1:key1:other')), false);
  assert.equal(isDemoObject(enc.encode('/registry/leases/kube-node-lease/cp-1'), enc.encode('x')), false);
  assert.equal(isDemoObject(enc.encode('config/a'), enc.encode('{"a":1}')), false);
});
