/**
 * `snapshot restore --kubeadm-manifest` through the CLI on the kubeadm etcd.yaml fixture:
 * the dry run shows the diff and changes nothing; the real run restores, points the
 * manifest's etcd-data hostPath (and --data-dir) at the restored dir, keeps the original
 * outside the manifests folder, and etcd started where the manifest now points (as kubelet
 * would) serves the snapshot. An unrecognised manifest stops the restore before it starts.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { runKubekeeper } from '../support/cli.js';
import { etcdctlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { repoRoot } from '../support/paths.js';
import { planMembers, restoreFlags, startRestored } from '../support/restore.js';

const FIXTURES = path.join(repoRoot, 'test/fixtures/kubeadm');

describe('snapshot restore with a kubeadm manifest', () => {
  let dir: string;
  let snapshot: string;
  const started: EtcdProcess[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kk-restore-manifest-'));
    const etcd = await startEtcd({ dataDir: path.join(dir, 'source') });
    started.push(etcd);
    await etcdctlOk(etcd, ['put', '/registry/namespaces/default', 'ns']);
    snapshot = path.join(dir, 'snap.db');
    await etcdctlOk(etcd, ['snapshot', 'save', snapshot]);
    await etcd.stop();
  });

  after(async () => {
    for (const m of started) await m.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** /etc/kubernetes-like tree with the fixture as manifests/etcd.yaml. */
  function kubernetesDir(name: string, fixture = 'etcd.yaml'): { root: string; manifest: string } {
    const root = path.join(dir, name);
    mkdirSync(path.join(root, 'manifests'), { recursive: true });
    const manifest = path.join(root, 'manifests', 'etcd.yaml');
    copyFileSync(path.join(FIXTURES, fixture), manifest);
    return { root, manifest };
  }

  test('dry run prints the manifest diff and changes nothing', async () => {
    const { root, manifest } = kubernetesDir('dry');
    const dataDir = path.join(dir, 'dry-etcd');
    const r = await runKubekeeper(['snapshot', 'restore', snapshot, '--data-dir', dataDir, '--kubeadm-manifest', manifest, '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Manifest ${manifest} would be updated \\(original kept as ${root}/etcd\\.yaml\\.before-restore-\\d{8}T\\d{6}Z\\):`));
    assert.ok(r.stdout.includes(`-    - --data-dir=/var/lib/etcd\n+    - --data-dir=${dataDir}\n`));
    assert.ok(r.stdout.includes(`-      path: /var/lib/etcd\n+      path: ${dataDir}\n`));
    assert.equal(readFileSync(manifest, 'utf8'), readFileSync(path.join(FIXTURES, 'etcd.yaml'), 'utf8'));
    assert.deepEqual(readdirSync(root), ['manifests']);
    assert.equal(existsSync(dataDir), false);
  });

  test('restore points the manifest at the restored dir, where etcd serves the snapshot', async () => {
    const { root, manifest } = kubernetesDir('real');
    const dataDir = path.join(dir, 'etcd-restored');
    const { members, initialCluster } = await planMembers(['cp1']);
    const m = members[0] as (typeof members)[0];
    const r = await runKubekeeper(['snapshot', 'restore', snapshot, '--data-dir', dataDir, ...restoreFlags(m, initialCluster, 'tok-kubeadm'), '--kubeadm-manifest', manifest]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(path.join(root, 'manifests')), ['etcd.yaml']);
    const backups = readdirSync(root).filter((n) => n.startsWith('etcd.yaml.before-restore-'));
    assert.equal(backups.length, 1);
    assert.equal(readFileSync(path.join(root, backups[0] as string), 'utf8'), readFileSync(path.join(FIXTURES, 'etcd.yaml'), 'utf8'));

    const pod = parse(readFileSync(manifest, 'utf8')) as { spec: { containers: { command: string[] }[]; volumes: { name: string; hostPath?: { path: string } }[] } };
    const hostPath = pod.spec.volumes.find((v) => v.name === 'etcd-data')?.hostPath?.path as string;
    assert.equal(hostPath, dataDir);
    assert.ok(pod.spec.containers[0]?.command.includes(`--data-dir=${dataDir}`));
    // What kubelet would do: run etcd on the hostPath the manifest names.
    const etcd = await startRestored(hostPath, m, initialCluster);
    started.push(etcd);
    assert.equal((await etcdctlOk(etcd, ['get', '/registry/namespaces/default', '--print-value-only'])).trim(), 'ns');
    await etcd.stop();
  });

  test('an unrecognised manifest is refused before anything is restored', async () => {
    const { root, manifest } = kubernetesDir('unknown', 'etcd-unrecognised.yaml');
    const dataDir = path.join(dir, 'unknown-etcd');
    const r = await runKubekeeper(['snapshot', 'restore', snapshot, '--data-dir', dataDir, '--kubeadm-manifest', manifest]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split('\n')[0], `Error: Cannot edit "${manifest}": the "etcd-data" volume is not a hostPath volume with a path; the manifest was left unchanged`);
    assert.match(r.stderr, /\nHint: Point the "etcd-data" hostPath volume .* by hand, or omit --kubeadm-manifest\n$/);
    assert.equal(existsSync(dataDir), false);
    assert.equal(readFileSync(manifest, 'utf8'), readFileSync(path.join(FIXTURES, 'etcd-unrecognised.yaml'), 'utf8'));
    assert.deepEqual(readdirSync(root), ['manifests']);
  });
});
