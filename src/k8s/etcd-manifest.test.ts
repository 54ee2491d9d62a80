import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from '../../test/support/paths.js';
import { EtcdManifestError, checkApiServerStopped, planEtcdManifestEdit, unifiedDiff } from './etcd-manifest.js';

const fixture = (name: string) => readFileSync(path.join(repoRoot, 'test/fixtures/kubeadm', name), 'utf8');
const MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';

interface PodShape {
  spec: { containers: { command: string[]; volumeMounts: { name: string; mountPath: string }[] }[]; volumes: { name: string; hostPath?: { path: string } }[] };
}

test('planEtcdManifestEdit moves hostPath, mountPath and --data-dir when the manifest is kubeadm\'s', () => {
  const original = fixture('etcd.yaml');
  const edit = planEtcdManifestEdit(MANIFEST, original, '/var/lib/etcd-restored');
  assert.deepEqual(edit.changes, [
    { field: 'command[4] --data-dir', from: '--data-dir=/var/lib/etcd', to: '--data-dir=/var/lib/etcd-restored', line: 19 },
    { field: 'volumeMounts[etcd-data].mountPath', from: '/var/lib/etcd', to: '/var/lib/etcd-restored', line: 72 },
    { field: 'volumes[etcd-data].hostPath.path', from: '/var/lib/etcd', to: '/var/lib/etcd-restored', line: 88 },
  ]);
  // Only those three lines differ; every other byte is kept.
  const before = original.split('\n');
  const after = edit.updated.split('\n');
  assert.equal(after.length, before.length);
  assert.deepEqual(after.flatMap((l, i) => (l === before[i] ? [] : [i + 1])), [19, 72, 88]);
  const pod = parse(edit.updated) as PodShape;
  assert.equal(pod.spec.volumes.find((v) => v.name === 'etcd-data')?.hostPath?.path, '/var/lib/etcd-restored');
  assert.ok(pod.spec.containers[0]?.command.includes('--data-dir=/var/lib/etcd-restored'));
  assert.equal(pod.spec.containers[0]?.volumeMounts.find((m) => m.name === 'etcd-data')?.mountPath, '/var/lib/etcd-restored');
  // The certs volume has a path too, and must not move.
  assert.equal(pod.spec.volumes.find((v) => v.name === 'etcd-certs')?.hostPath?.path, '/etc/kubernetes/pki/etcd');
});

test('planEtcdManifestEdit shows a unified diff of the three lines when planning (dry run)', () => {
  const edit = planEtcdManifestEdit(MANIFEST, fixture('etcd.yaml'), '/var/lib/etcd-restored');
  const lines = edit.diff.split('\n');
  assert.equal(lines[0], `--- ${MANIFEST}`);
  assert.equal(lines[1], `+++ ${MANIFEST} (restored)`);
  assert.deepEqual(lines.filter((l) => l.startsWith('@@')), ['@@ -16,7 +16,7 @@', '@@ -69,7 +69,7 @@', '@@ -85,7 +85,7 @@']);
  assert.deepEqual(lines.filter((l) => /^[-+] /.test(l)), [
    '-    - --data-dir=/var/lib/etcd', '+    - --data-dir=/var/lib/etcd-restored',
    '-    - mountPath: /var/lib/etcd', '+    - mountPath: /var/lib/etcd-restored',
    '-      path: /var/lib/etcd', '+      path: /var/lib/etcd-restored',
  ]);
});

test('planEtcdManifestEdit moves only the hostPath when the container path differs from the host path', () => {
  const text = fixture('etcd.yaml').replace('      path: /var/lib/etcd\n', '      path: /data/etcd\n');
  const edit = planEtcdManifestEdit(MANIFEST, text, '/data/etcd-restored');
  assert.deepEqual(edit.changes.map((c) => [c.field, c.to]), [['volumes[etcd-data].hostPath.path', '/data/etcd-restored']]);
});

test('planEtcdManifestEdit changes nothing when the manifest already points at the dir', () => {
  const edit = planEtcdManifestEdit(MANIFEST, fixture('etcd.yaml'), '/var/lib/etcd');
  assert.deepEqual(edit.changes, []);
  assert.equal(edit.diff, '');
  assert.equal(edit.updated, edit.original);
});

test('planEtcdManifestEdit keeps comments and quoting when the manifest has them', () => {
  const text = [
    'apiVersion: v1 # core',
    'kind: Pod',
    'spec:',
    '  containers:',
    '  - name: etcd',
    '    args: ["--name=cp1", "--data-dir", \'/var/lib/etcd\']  # flow style',
    '    volumeMounts:',
    '    - {name: etcd-data, mountPath: "/var/lib/etcd"}',
    '  volumes:',
    '  # the data',
    '  - name: etcd-data',
    '    hostPath: {path: /var/lib/etcd, type: DirectoryOrCreate}',
    '',
  ].join('\n');
  const edit = planEtcdManifestEdit(MANIFEST, text, '/srv/etcd new');
  assert.equal(edit.updated, text
    .replace("'/var/lib/etcd'", "'/srv/etcd new'")
    .replace('mountPath: "/var/lib/etcd"', 'mountPath: "/srv/etcd new"')
    .replace('{path: /var/lib/etcd,', '{path: "/srv/etcd new",'));
});

test('planEtcdManifestEdit refuses the PersistentVolumeClaim manifest fixture and names why', () => {
  assert.throws(() => planEtcdManifestEdit(MANIFEST, fixture('etcd-unrecognised.yaml'), '/var/lib/etcd-restored'), (err: unknown) =>
    err instanceof EtcdManifestError
    && err.message === `Cannot edit "${MANIFEST}": the "etcd-data" volume is not a hostPath volume with a path; the manifest was left unchanged`
    && /by hand/.test(err.hint ?? ''));
});

test('planEtcdManifestEdit refuses manifests that are not kubeadm\'s etcd pod', () => {
  const kubeadm = fixture('etcd.yaml');
  const cases: [string, string, RegExp][] = [
    ['not YAML', 'a: [b', /not valid YAML/],
    ['a Deployment', kubeadm.replace('kind: Pod', 'kind: Deployment'), /not a v1 Pod/],
    ['two documents', `${kubeadm}---\n${kubeadm}`, /more than one YAML document/],
    ['no --data-dir', kubeadm.replace('    - --data-dir=/var/lib/etcd\n', ''), /no --data-dir flag/],
    ['two --data-dir', kubeadm.replace('    - --name=cp1\n', '    - --data-dir=/x\n'), /2 --data-dir flags/],
    ['another mount path', kubeadm.replace('    - mountPath: /var/lib/etcd\n', '    - mountPath: /etcd\n'), /is not the "etcd-data" mountPath/],
    ['no etcd container', kubeadm.replace('    name: etcd\n    readinessProbe', '    name: other\n    readinessProbe'), /no single container named "etcd"/],
    ['no volume', kubeadm.replace('    name: etcd-data\nstatus', '    name: data\nstatus'), /no single "etcd-data" volume/],
  ];
  for (const [what, text, message] of cases) {
    assert.throws(() => planEtcdManifestEdit(MANIFEST, text, '/var/lib/etcd-restored'), message, what);
  }
  assert.throws(() => planEtcdManifestEdit(MANIFEST, kubeadm, 'relative/dir'), /not an absolute path/);
});

test('checkApiServerStopped refuses when kube-apiserver.yaml is still in the static pod folder', () => {
  assert.throws(() => checkApiServerStopped(MANIFEST, ['etcd.yaml', 'kube-apiserver.yaml']), (err: unknown) =>
    err instanceof Error && /kube-apiserver\.yaml" is still in the static pod folder/.test(err.message));
  assert.doesNotThrow(() => checkApiServerStopped(MANIFEST, ['etcd.yaml', '.kube-apiserver.yaml', 'kube-scheduler.yaml']));
});

test('unifiedDiff merges nearby changes into one hunk', () => {
  const a = 'l1\nl2\nl3\nl4\nl5\nl6\n';
  const b = 'l1\nL2\nl3\nl4\nL5\nl6\n';
  assert.equal(unifiedDiff(a, b, 'f'), '--- f\n+++ f (restored)\n@@ -1,6 +1,6 @@\n l1\n-l2\n+L2\n l3\n l4\n-l5\n+L5\n l6\n');
});
