import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeResource, objectKey, parseRegistryKey, resourceKeyPrefix } from './registry-key.js';

test('parseRegistryKey reads namespaced and cluster-scoped keys', () => {
  assert.deepEqual(parseRegistryKey('/registry/pods/default/nginx-1'), { resource: 'pods', group: undefined, namespace: 'default', name: 'nginx-1', key: '/registry/pods/default/nginx-1' });
  assert.equal(parseRegistryKey('/registry/namespaces/kube-system')?.name, 'kube-system');
  assert.equal(parseRegistryKey('/registry/clusterroles/admin')?.namespace, undefined);
});

test('parseRegistryKey maps the historical storage prefixes to resource names', () => {
  assert.equal(parseRegistryKey('/registry/minions/worker-1')?.resource, 'nodes');
  const svc = parseRegistryKey('/registry/services/specs/default/kubernetes');
  assert.deepEqual([svc?.resource, svc?.namespace, svc?.name], ['services', 'default', 'kubernetes']);
  assert.equal(parseRegistryKey('/registry/services/endpoints/default/kubernetes')?.resource, 'endpoints');
  assert.equal(parseRegistryKey('/registry/controllers/default/rc1')?.resource, 'replicationcontrollers');
});

test('parseRegistryKey keeps the group of custom resources', () => {
  const cr = parseRegistryKey('/registry/stable.example.com/crontabs/default/nightly');
  assert.deepEqual([cr?.group, cr?.resource, cr?.namespace, cr?.name], ['stable.example.com', 'crontabs', 'default', 'nightly']);
  const crd = parseRegistryKey('/registry/apiextensions.k8s.io/customresourcedefinitions/crontabs.stable.example.com');
  assert.deepEqual([crd?.resource, crd?.namespace, crd?.name], ['customresourcedefinitions', undefined, 'crontabs.stable.example.com']);
});

test('parseRegistryKey returns undefined for keys outside /registry or without a name', () => {
  assert.equal(parseRegistryKey('compact_rev_key'), undefined);
  assert.equal(parseRegistryKey('/registry/pods'), undefined);
  assert.equal(parseRegistryKey('/registry/pods//x'), undefined);
  assert.equal(parseRegistryKey('/registry/a/b/c/d/e'), undefined);
});

test('objectKey and resourceKeyPrefix invert parseRegistryKey', () => {
  assert.equal(resourceKeyPrefix('nodes'), '/registry/minions/');
  for (const key of ['/registry/minions/n1', '/registry/services/specs/ns/s', '/registry/pods/ns/p', '/registry/stable.example.com/crontabs/ns/c']) {
    const k = parseRegistryKey(key);
    assert.ok(k);
    assert.equal(objectKey(k.resource, k.name, k.namespace, k.group), key);
  }
});

test('normalizeResource accepts kubectl short names and kinds', () => {
  assert.equal(normalizeResource('deploy'), 'deployments');
  assert.equal(normalizeResource('Deployment'), 'deployments');
  assert.equal(normalizeResource('svc'), 'services');
  assert.equal(normalizeResource('crontabs'), 'crontabs');
  for (const [short, resource] of [['csr', 'certificatesigningrequests'], ['hpa', 'horizontalpodautoscalers'], ['pdb', 'poddisruptionbudgets'], ['lease', 'leases'], ['cj', 'cronjobs']]) {
    assert.equal(normalizeResource(short as string), resource);
  }
});
