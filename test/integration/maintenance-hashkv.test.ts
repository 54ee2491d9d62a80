/**
 * `endpoint hashkv` and `move-leader` on real 3-member clusters (etcd 3.6 and 3.4): the plain command prints what
 * etcdctl 3.7 prints in every format, and `--check` passes on a healthy cluster, then names the
 * member whose db was changed offline (stopped, one value overwritten in member/snap/db with a
 * value of the same length, restarted) and exits 3.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { etcdctlOk } from '../support/etcd.js';
import { startEtcdCluster } from '../support/etcd-test-cluster.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';

const newest = findEtcd(pinnedVersions.ETCD_37 as string);
const ORIGINAL = 'original-value-0123456789';
const DIVERGED = 'diverged-value-0123456789';

/** Overwrites every copy of `from` in a stopped member's bbolt file; returns how many. */
async function rewriteDb(dataDir: string, from: string, to: string): Promise<number> {
  const file = path.join(dataDir, 'member', 'snap', 'db');
  const db = await readFile(file);
  let count = 0;
  for (let i = db.indexOf(from); i >= 0; i = db.indexOf(from, i + 1), count++) db.write(to, i);
  await writeFile(file, db);
  return count;
}

for (const key of ['ETCD_36', 'ETCD_34_DEBIAN']) {
  const version = pinnedVersions[key] as string;
  const { peer, missing } = findEtcd(version);
  test(`etcd ${version}: endpoint hashkv equals etcdctl 3.7; --check names a member diverged offline and exits 3`, { skip: missing ?? newest.missing, timeout: 180_000 }, async (t: TestContext) => {
    const cluster = await startEtcdCluster({ binDir: peer?.binDir as string });
    t.after(() => cluster.stop());
    for (let i = 0; i < 20; i++) await etcdctlOk(cluster, ['put', `/data/${i}`, `v${i}`]);
    await etcdctlOk(cluster, ['put', '/diverge', ORIGINAL]);

    const etcdctl37 = { clientFlags: cluster.clientFlags, binDir: newest.peer?.binDir };
    for (const format of ['simple', 'table', 'json', 'fields']) {
      const ours = await runKubekeeper(['endpoint', 'hashkv', '-w', format, ...cluster.clientFlags]);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(ours.stdout, await etcdctlOk(etcdctl37, ['endpoint', 'hashkv', '-w', format]), format);
    }

    const healthy = await runKubekeeper(['endpoint', 'hashkv', '--check', '--cluster', ...cluster.clientFlags]);
    assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
    assert.match(healthy.stdout, /OK: every member has the same keyspace/);

    // move-leader: etcdctl's words, and the leadership really moves.
    const leader = await cluster.leader();
    const follower = cluster.members.find((m) => m !== leader) as (typeof cluster.members)[number];
    const ids = JSON.parse((await runKubekeeper(['endpoint', 'status', '--detail', '-w', 'json', ...cluster.clientFlags])).stdout) as { endpoint: string; id: string }[];
    const idOf = (url: string) => ids.find((d) => d.endpoint === url)?.id as string;
    const moved = await runKubekeeper(['move-leader', idOf(follower.clientUrl), ...cluster.clientFlags]);
    assert.equal(moved.code, 0, moved.stderr);
    assert.equal(moved.stdout, `Leadership transferred from ${idOf(leader.clientUrl)} to ${idOf(follower.clientUrl)}\n`);
    assert.equal((await cluster.leader()).clientUrl, follower.clientUrl);

    const victim = cluster.members[2];
    assert.ok(victim);
    await cluster.stopMember(2);
    assert.ok((await rewriteDb(victim.dataDir, ORIGINAL, DIVERGED)) >= 1, 'the value is in the db file');
    await cluster.restartMember(2);
    // The member serves what its db now holds: the divergence is real, not a test artefact.
    assert.match(await etcdctlOk({ clientFlags: [`--endpoints=${victim.clientUrl}`], binDir: peer?.binDir }, ['get', '/diverge', '--consistency=s', '--print-value-only']), new RegExp(DIVERGED));

    const r = await runKubekeeper(['endpoint', 'hashkv', '--check', '--cluster', ...cluster.clientFlags]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`FINDING: member ${victim.name} \\(${victim.clientUrl}\\) diverged: hash \\d+ at revision \\d+, the others \\d+`));
    assert.equal(r.stdout.match(/FINDING/g)?.length, 1, r.stdout);
    const json = JSON.parse((await runKubekeeper(['endpoint', 'hashkv', '--check', '--cluster', '-w', 'json', ...cluster.clientFlags])).stdout) as { ok: boolean; members: { name: string; agrees: boolean }[] };
    assert.equal(json.ok, false);
    assert.deepEqual(json.members.filter((m) => !m.agrees).map((m) => m.name), [victim.name]);
  });
}
