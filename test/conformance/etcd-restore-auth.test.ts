/**
 * Conformance, every etcd version: auth survives `kubekeeper snapshot restore` as it does
 * `etcdutl snapshot restore` (3.4: etcdctl). Users, roles, permissions and `auth enable` are
 * set on a live member, the snapshot is saved by kubekeeper with --user, and both restores
 * must hold the same auth buckets; etcd of that version started from kubekeeper's dir still
 * refuses anonymous reads, lets a user read only what its role grants, and lists the same
 * users and roles as the etcdutl-restored member.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { check } from '../support/conformance.js';
import { etcdctl, etcdctlOk, etcdutlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { etcdVersions, findEtcd, type EtcdPeer } from '../support/peers.js';
import { runKubekeeper } from '../support/cli.js';
import { planMembers, restoreFlags, type RestoredPorts } from '../support/restore.js';
import { dbBuckets, diffBuckets } from './etcd-restore-data.js';

const ROOT = ['--user', 'root:rootpw'];
const ALICE = ['--user', 'alice:alicepw'];
const AUTH_BUCKETS = ['auth', 'authRoles', 'authUsers'];

async function enableAuth(member: EtcdProcess): Promise<void> {
  await etcdctlOk(member, ['put', '/a/1', 'secret']);
  await etcdctlOk(member, ['put', '/z/1', 'other']);
  await etcdctlOk(member, ['user', 'add', 'root:rootpw']);
  await etcdctlOk(member, ['role', 'add', 'r1']);
  await etcdctlOk(member, ['role', 'grant-permission', 'r1', 'readwrite', '/a', '/b']);
  await etcdctlOk(member, ['user', 'add', 'alice:alicepw']);
  await etcdctlOk(member, ['user', 'grant-role', 'alice', 'r1']);
  await etcdctlOk(member, ['auth', 'enable']);
}

/** What a client sees of auth on a running member. */
async function authView(member: EtcdProcess) {
  const anonymous = await etcdctl(member, ['get', '/a/1']);
  const denied = await etcdctl(member, [...ALICE, 'get', '/z/1']);
  return {
    anonymousRefused: anonymous.code !== 0 && /user name is empty|permission denied|invalid auth token/.test(anonymous.stderr),
    aliceReads: (await etcdctlOk(member, [...ALICE, 'get', '/a/1', '--print-value-only'])).trim(),
    aliceDenied: denied.code !== 0 && /permission denied/.test(denied.stderr),
    users: (await etcdctlOk(member, [...ROOT, 'user', 'list'])).trim(),
    role: (await etcdctlOk(member, [...ROOT, 'role', 'get', 'r1'])).trim(),
  };
}

async function viewOf(peer: EtcdPeer, dataDir: string, m: RestoredPorts, initialCluster: string) {
  const etcd = await startEtcd({ binDir: peer.binDir, dataDir, name: m.name, peerPort: m.peerPort, clientPort: m.clientPort, initialCluster });
  try {
    return await authView(etcd);
  } finally {
    await etcd.stop();
  }
}

for (const version of etcdVersions) {
  test(`etcd ${version}: auth survives a restore as with its own tools`, async (t: TestContext) => {
    const { peer, missing } = findEtcd(version);
    const capability = { suite: 'etcd', peer: 'etcd', version, capability: 'auth (users, roles, auth enable) survives snapshot restore = etcdutl' };
    await check(t, capability, async () => {
      const p = peer as EtcdPeer;
      const dir = await mkdtemp(path.join(os.tmpdir(), `kk-conf-auth-${version}-`));
      try {
        const source = await startEtcd({ binDir: p.binDir, dataDir: path.join(dir, 'source') });
        const snapshot = path.join(dir, 'auth.db');
        let before;
        try {
          await enableAuth(source);
          before = await authView(source);
          const r = await runKubekeeper(['snapshot', 'save', snapshot, ...source.clientFlags, ...ROOT]);
          assert.equal(r.code, 0, r.stderr);
        } finally {
          await source.stop();
        }
        const { members, initialCluster } = await planMembers(['authm']);
        const m = members[0] as RestoredPorts;
        const flags = restoreFlags(m, initialCluster, 'tok-auth');
        const toolDir = path.join(dir, 'tool');
        const kkDir = path.join(dir, 'kk');
        await etcdutlOk(p, ['snapshot', 'restore', snapshot, '--data-dir', toolDir, ...flags]);
        const r = await runKubekeeper(['snapshot', 'restore', snapshot, '--data-dir', kkDir, ...flags]);
        assert.equal(r.code, 0, r.stderr);
        const diff = diffBuckets(dbBuckets(path.join(toolDir, 'member/snap/db')), dbBuckets(path.join(kkDir, 'member/snap/db')));
        assert.deepEqual(diff.filter((b) => AUTH_BUCKETS.includes(b)), []);
        const tool = await viewOf(p, toolDir, m, initialCluster);
        const kk = await viewOf(p, kkDir, m, initialCluster);
        assert.deepEqual(kk, tool);
        assert.deepEqual(kk, before);
        assert.equal(kk.anonymousRefused, true);
        assert.equal(kk.aliceReads, 'secret');
        assert.equal(kk.aliceDenied, true);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }, missing);
  });
}
