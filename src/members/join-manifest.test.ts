import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { repoRoot } from '../../test/support/paths.js';
import { AppError } from '../errors.js';
import { JoinManifestError, planJoinManifest } from './join-manifest.js';

const fixture = readFileSync(path.join(repoRoot, 'test/fixtures/kubeadm/etcd.yaml'), 'utf8');
const flags: Array<[string, string]> = [
  ['name', 'cp4'],
  ['initial-cluster', 'cp1=https://10.0.0.11:2380,cp2=https://10.0.0.12:2380,cp4=https://10.0.0.14:2380'],
  ['initial-cluster-state', 'existing'],
  ['initial-advertise-peer-urls', 'https://10.0.0.14:2380'],
];

test('planJoinManifest replaces and adds the join flags in the etcd command and keeps every other line', () => {
  const edit = planJoinManifest('/etc/kubernetes/manifests/etcd.yaml', fixture, flags);
  assert.deepEqual(edit.changes, [
    { flag: 'name', from: 'cp1', to: 'cp4' },
    { flag: 'initial-cluster', from: 'cp1=https://10.0.0.11:2380', to: flags[1]?.[1] },
    { flag: 'initial-cluster-state', to: 'existing' },
    { flag: 'initial-advertise-peer-urls', from: 'https://10.0.0.11:2380', to: 'https://10.0.0.14:2380' },
  ]);
  const before = fixture.split('\n');
  const after = edit.updated.split('\n');
  assert.equal(after.length, before.length + 1);
  assert.equal(after[before.indexOf('    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt') + 1], '    - --initial-cluster-state=existing');
  const changedLines = before.filter((l) => !after.includes(l));
  assert.deepEqual(changedLines, ['    - --initial-advertise-peer-urls=https://10.0.0.11:2380', '    - --initial-cluster=cp1=https://10.0.0.11:2380', '    - --name=cp1']);
  const command = (parseDocument(edit.updated).toJS() as { spec: { containers: { command: string[] }[] } }).spec.containers[0]?.command ?? [];
  for (const [k, v] of flags) assert.ok(command.includes(`--${k}=${v}`), k);
  // Idempotent: a second edit changes nothing.
  const again = planJoinManifest('/m/etcd.yaml', edit.updated, flags);
  assert.deepEqual(again.changes, []);
  assert.equal(again.updated, edit.updated);
});

test('planJoinManifest refuses a manifest that is not an etcd pod, unchanged', () => {
  assert.throws(() => planJoinManifest('/m/x.yaml', 'apiVersion: v1\nkind: ConfigMap\n', flags), (err: AppError) => err instanceof JoinManifestError && err.code === 'member-manifest-unrecognised' && /not a v1 Pod/.test(err.message));
  const twice = fixture.replace('    - --name=cp1\n', '    - --name=cp1\n    - --name=cp9\n');
  assert.throws(() => planJoinManifest('/m/etcd.yaml', twice, flags), /2 --name flags/);
});
