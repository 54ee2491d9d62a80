/**
 * `kubekeeper defrag` on real 3-member clusters (etcd 3.6 and 3.4, the oldest the suite runs)
 * under a continuous write load (test/support/write-load.ts: three writers over every member,
 * 5 s per write, a member that stalls or drops the proposal is left for the next one, as
 * clientv3 does): every write succeeds within 5 s, the followers go first and the leader last after MoveLeader, and fragmentation
 * drops on every member. The same load runs under `etcdctl defrag --cluster` for comparison;
 * the worst write latency of each is recorded in the test output (not asserted: timings).
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { openEtcdClient } from '../../src/etcd/index.js';
import { runKubekeeper } from '../support/cli.js';
import { etcdctlOk } from '../support/etcd.js';
import { startEtcdCluster, type EtcdCluster } from '../support/etcd-test-cluster.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { until } from '../support/poll.js';
import { startWriteLoad } from '../support/write-load.js';

interface Detail { endpoint: string; id: string; isLeader: boolean; dbSizeBytes: number; fragmentationPercent: number }

async function details(cluster: EtcdCluster): Promise<Detail[]> {
  const r = await runKubekeeper(['endpoint', 'status', '--detail', '-w', 'json', ...cluster.clientFlags]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Detail[];
}

/** Writes ~16 MiB, deletes it and compacts: every member is left with most of its db free. */
async function fragment(cluster: EtcdCluster): Promise<Detail[]> {
  const first = cluster.members[0]?.clientUrl as string;
  const client = await openEtcdClient({ endpoints: [first], dialTimeoutMs: 2000, commandTimeoutMs: 30_000 }, first);
  try {
    const value = Buffer.alloc(64 * 1024, 'f');
    for (let i = 0; i < 256; i += 8) await Promise.all(Array.from({ length: 8 }, (_, j) => client.put(`/frag/${i + j}`, value)));
    const { revision } = await client.deleteRange('/frag/', '/frag0');
    await etcdctlOk(cluster, ['compaction', '--physical', String(revision)]);
    // A member counts the pages compaction freed once a later backend commit releases them.
    return await until('every member fragmented', async () => {
      await client.put('/frag-tick', 'x');
      const d = await details(cluster);
      return d.length === 3 && d.every((m) => m.fragmentationPercent >= 50) ? d : undefined;
    });
  } finally {
    client.close();
  }
}

for (const key of ['ETCD_36', 'ETCD_34_DEBIAN']) {
  const version = pinnedVersions[key] as string;
  const { peer, missing } = findEtcd(version);
  test(`etcd ${version}: defrag under write load: followers first, the leader last after MoveLeader, no write fails; etcdctl defrag --cluster for comparison`, { skip: missing, timeout: 300_000 }, async (t: TestContext) => {
    const cluster = await startEtcdCluster({ binDir: peer?.binDir as string });
    t.after(() => cluster.stop());
    const before = await fragment(cluster);
    const leader = (await cluster.leader()).clientUrl;

    const load = await startWriteLoad(cluster.members.map((m) => m.clientUrl));
    const r = await runKubekeeper(['defrag', '--cluster', '--min-reclaim-bytes', '0', '-w', 'json', ...cluster.clientFlags]);
    const ours = await load.stop();
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { steps: { kind: string; endpoint: string; to?: string; before?: { dbSizeBytes: number }; after?: { dbSizeBytes: number } }[] };
    assert.deepEqual(result.steps.map((s) => s.kind), ['defrag', 'defrag', 'move-leader', 'defrag']);
    assert.deepEqual(result.steps.slice(2).map((s) => s.endpoint), [leader, leader], 'the leader is moved away, then defragmented last');
    assert.notEqual(result.steps[0]?.endpoint, leader);
    assert.notEqual(result.steps[1]?.endpoint, leader);
    for (const s of result.steps.filter((x) => x.kind === 'defrag')) assert.ok((s.after?.dbSizeBytes ?? Infinity) < (s.before?.dbSizeBytes ?? 0), `${s.endpoint} shrank`);
    const after = await details(cluster);
    for (const m of after) {
      const was = before.find((b) => b.endpoint === m.endpoint) as Detail;
      assert.ok(m.fragmentationPercent < was.fragmentationPercent && m.dbSizeBytes < was.dbSizeBytes, `${m.endpoint}: ${was.fragmentationPercent}% -> ${m.fragmentationPercent}%`);
    }
    assert.notEqual((await cluster.leader()).clientUrl, leader, 'the leadership stayed with the follower it moved to');
    assert.deepEqual(ours.failures, [], 'every write succeeded within 5 s during kubekeeper defrag');
    assert.ok(ours.writes > 0);
    t.diagnostic(`etcd ${version}: kubekeeper defrag: ${ours.writes} writes, worst write latency ${ours.worstMs.toFixed(1)} ms, ${ours.retries} attempts retried on another member (${ours.retryReasons.slice(0, 3).join('; ')})`);

    await fragment(cluster);
    const theirLoad = await startWriteLoad(cluster.members.map((m) => m.clientUrl));
    await etcdctlOk(cluster, ['defrag', '--cluster', '--command-timeout=60s']);
    const theirs = await theirLoad.stop();
    t.diagnostic(`etcd ${version}: etcdctl defrag --cluster: ${theirs.writes} writes, worst write latency ${theirs.worstMs.toFixed(1)} ms, ${theirs.retries} attempts retried on another member, ${theirs.failures.length} writes failed`);
  });
}
