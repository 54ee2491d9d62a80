/**
 * Conformance, every etcd version: `endpoint status` and `member list` print exactly what the
 * newest supported etcdctl (3.7) prints against a real 3-member cluster of that version, in
 * every -w format (simple, table, json, fields). Servers older than 3.6 leave the storage
 * version, quota and downgrade info empty; etcdctl 3.7 prints them empty and so must we.
 *
 * Nothing is normalised. The cluster is idle, but a member may still move a raft index between
 * two calls (e.g. 3.6+ updating its storage version after start); so etcdctl runs once before
 * and once after kubekeeper, and kubekeeper's output must equal one of the two byte for byte.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { check } from '../support/conformance.js';
import { etcdctlOk } from '../support/etcd.js';
import { startEtcdCluster, type EtcdCluster } from '../support/etcd-test-cluster.js';
import { etcdVersions, findEtcd, pinnedVersions } from '../support/peers.js';
import { kubekeeperInProcess } from '../support/snapshot-data.js';

const FORMATS = ['simple', 'table', 'json', 'fields'] as const;
const newest = findEtcd(pinnedVersions.ETCD_37 as string);

async function assertSameOutput(clientFlags: string[], args: readonly string[]): Promise<void> {
  const etcdctl37 = { clientFlags, binDir: newest.peer?.binDir };
  const before = await etcdctlOk(etcdctl37, args);
  const ours = await kubekeeperInProcess([...args, ...clientFlags]);
  const afterwards = await etcdctlOk(etcdctl37, args);
  assert.equal(ours.code, 0, ours.stderr);
  if (ours.stdout !== afterwards) assert.equal(ours.stdout, before, args.join(' '));
}

for (const version of etcdVersions) {
  test(`etcd ${version}: endpoint status and member list equal etcdctl ${newest.peer?.version ?? '3.7'}`, async (t: TestContext) => {
    const { peer, missing } = findEtcd(version);
    const why = missing ?? newest.missing;
    let cluster: EtcdCluster | undefined;
    if (why === undefined) cluster = await startEtcdCluster({ binDir: peer?.binDir as string });
    t.after(() => cluster?.stop());
    for (const format of FORMATS) {
      await check(t, { suite: 'etcd', peer: 'etcd', version, capability: `endpoint status -w ${format} = etcdctl 3.7 (3 members)` }, async () => {
        await assertSameOutput((cluster as EtcdCluster).clientFlags, ['endpoint', 'status', '-w', format]);
      }, why);
    }
    for (const format of FORMATS) {
      await check(t, { suite: 'etcd', peer: 'etcd', version, capability: `member list -w ${format} = etcdctl 3.7 (3 members)` }, async () => {
        // One endpoint: with several, etcdctl's balancer picks the answering member (the header's member ID).
        await assertSameOutput([`--endpoints=${(cluster as EtcdCluster).members[1]?.clientUrl}`], ['member', 'list', '-w', format]);
      }, why);
    }
  });
}
