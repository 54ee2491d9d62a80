import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackupEntry, Manifest } from '../backup/index.js';
import type { KubeObject, ResourceType } from '../k8s/index.js';
import { backupObject, backupObjectName, syncInventory } from './inventory.js';
import type { OperatorApi } from './operator-api.js';
import type { EtcdBackupPolicy } from './resources.js';

const policy: EtcdBackupPolicy = {
  metadata: { name: 'prod', namespace: 'kk', uid: 'u-1', generation: 1 },
  spec: { schedule: '@every 1h', etcd: { endpoints: ['127.0.0.1:2379'] }, repository: { url: 's3://b/prod' }, encryption: { recipients: [] } },
};

function entry(name: string, status: BackupEntry['status'] = 'ok'): BackupEntry {
  const manifest = {
    name, createdAt: '2026-12-06T01:00:00.000Z', completedAt: '2026-12-06T01:00:02.000Z',
    cluster: { clusterId: 'cdf818194e3a8c32', memberId: '8e9e05c52164694d', endpoint: 'http://127.0.0.1:2379', etcdVersion: '3.6.17', revision: 42, dbSizeBytes: 20480 },
    snapshot: { sizeBytes: 20512, sha256: 'a'.repeat(64), dbSha256: 'b'.repeat(64) },
    encryption: { scheme: 'age', recipients: ['x'] },
    objects: [{ sizeBytes: 1000 }, { sizeBytes: 24 }],
  } as unknown as Manifest;
  return { name, status, problems: [], manifest, signature: { status: 'unsigned' } };
}

test('backupObject lists what the manifest says, owned by the policy', () => {
  const o = backupObject(policy, entry('prod-20261206T010000Z'));
  assert.equal(o?.metadata.name, 'prod.prod-20261206t010000z');
  assert.deepEqual(o?.metadata.ownerReferences, [{ apiVersion: 'kubekeeper.io/v1alpha1', kind: 'EtcdBackupPolicy', name: 'prod', uid: 'u-1', controller: true }]);
  assert.deepEqual(o?.spec, {
    policyName: 'prod', backupName: 'prod-20261206T010000Z', repository: 's3://b/prod', createdAt: '2026-12-06T01:00:00.000Z', completedAt: '2026-12-06T01:00:02.000Z',
    sizeBytes: 1024, snapshotSizeBytes: 20512, revision: 42, etcdVersion: '3.6.17', clusterId: 'cdf818194e3a8c32', snapshotSha256: 'a'.repeat(64),
    encrypted: true, signed: false, verified: true,
  });
  assert.equal(backupObject(policy, { name: 'x', status: 'invalid', problems: ['bad'] }), undefined);
  assert.equal(backupObjectName('p', 'Nightly_1'), 'p.nightly-1');
});

test('syncInventory creates the missing objects and deletes those whose backup is gone', async () => {
  const store = new Map<string, KubeObject>([['prod.old', { metadata: { name: 'prod.old' } }], ['prod.prod-20261206t010000z', { metadata: { name: 'prod.prod-20261206t010000z' } }]]);
  const calls: string[] = [];
  const api = {
    list: (_t: ResourceType, ns?: string, selector?: string) => {
      calls.push(`list ${ns} ${selector}`);
      return Promise.resolve([...store.values()]);
    },
    create: (_t: ResourceType, _ns: string, o: KubeObject) => {
      store.set(o.metadata.name, o);
      return Promise.resolve(o);
    },
    delete: (_t: ResourceType, _ns: string, name: string) => {
      store.delete(name);
      return Promise.resolve();
    },
  } as unknown as OperatorApi;
  const change = await syncInventory(api, policy, [entry('prod-20261206T010000Z'), entry('prod-20261206T020000Z', 'untrusted')]);
  assert.deepEqual(change, { created: ['prod.prod-20261206t020000z'], deleted: ['prod.old'] });
  assert.deepEqual([...store.keys()].sort(), ['prod.prod-20261206t010000z', 'prod.prod-20261206t020000z']);
  assert.deepEqual(calls, ['list kk kubekeeper.io/policy=prod']);
  assert.equal((store.get('prod.prod-20261206t020000z') as unknown as { spec: { verified: boolean } }).spec.verified, false);
});
