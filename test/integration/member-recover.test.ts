/**
 * `kubekeeper member recover` against real 3-member etcd clusters on 127.0.0.1 (etcd 3.6 and
 * 3.4): a backup is saved with `kubekeeper backup save` into a local repository (age-encrypted),
 * more is written, two members are SIGKILLed and the third is stopped (quorum lost). The
 * runbook restores the newest backup on m1 as a one-member cluster and adds m2 and m3 back;
 * the test plays the operator on each node, starting etcd from the env file the runbook
 * wrote (after moving the node's old data dir aside, as told). The cluster ends with 3 voting
 * members serving exactly the backup's data with the Kubernetes-safe revision bump; every old
 * data dir is still there, moved aside. Also: a cluster that still has quorum is refused.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { runKubekeeper, type CliResult } from '../support/cli.js';
import { etcdctlOk, type EtcdProcess } from '../support/etcd.js';
import { endpointsFlag, startEtcdCluster, whenFileExists, type ClusterSlot, type EtcdCluster } from '../support/etcd-cluster.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { memberList, parseEtcdJson } from '../support/restore.js';
import { tempDir } from '../support/temp.js';

const VERSIONS = [pinnedVersions.ETCD_36 as string, pinnedVersions.ETCD_34_DEBIAN as string];
const DATA = Array.from({ length: 20 }, (_, i) => [`/registry/secrets/default/s-${i}`, `secret-${i}`] as const);

function assertOk(r: CliResult): void {
  assert.equal(r.code, 0, `exit ${r.code} ${r.signal ?? ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

async function setUp(t: TestContext, version: string) {
  const { peer, missing } = findEtcd(version);
  if (!peer) {
    t.skip(missing);
    return undefined;
  }
  const root = await tempDir(t, `kk-recover-${version}-`);
  const cluster = await startEtcdCluster(peer, root);
  t.after(() => cluster.stop());
  const m1 = cluster.running.get('m1') as EtcdProcess;
  for (const [k, v] of DATA) await etcdctlOk(m1, ['put', k, v]);
  const key = path.join(root, 'backup-key.txt');
  const keygen = await runKubekeeper(['keygen', '-o', key]);
  assertOk(keygen);
  const recipient = (/age1[0-9a-z]+/.exec(keygen.stdout + keygen.stderr) as RegExpExecArray)[0];
  const repo = path.join(root, 'repo');
  assertOk(await runKubekeeper(['backup', 'save', endpointsFlag(cluster, ['m1']), '--repo', repo, '-r', recipient, '--name', 'before-loss']));
  // Written after the backup: a recovery from it does not have this.
  await etcdctlOk(m1, ['put', 'after-backup', 'lost']);
  return { cluster, root, key, repo };
}

function recoverArgs(cluster: EtcdCluster, root: string, key: string, repo: string): string[] {
  const s = (n: string) => cluster.slots.get(n) as ClusterSlot;
  return [
    'member', 'recover', endpointsFlag(cluster, ['m1', 'm2', 'm3']), '--from-backup', 'latest', '--repo', repo, '-i', key,
    '--name', 'm1', '--initial-advertise-peer-urls', s('m1').peerUrl, '--advertise-client-urls', s('m1').clientUrl, '--data-dir', s('m1').dataDir,
    '--add', `m2=${s('m2').peerUrl}`, '--add', `m3=${s('m3').peerUrl}`, '--state-dir', path.join(root, 'state'), '--wait-timeout', '120s',
  ];
}

/** The operator: starts m1 on the restored dir, then m2 and m3 (old data dirs moved aside) from their env files. */
function operator(cluster: EtcdCluster, root: string): { done: () => void; finished: Promise<string[]> } {
  let stop = false;
  const work = path.join(root, 'state', 'member-recover-m1');
  const finished = (async () => {
    const started: string[] = [];
    if (!(await whenFileExists(path.join(work, 'member-m1.env'), 180_000, () => stop))) return started;
    await cluster.startSlot('m1');
    started.push('m1');
    for (const name of ['m2', 'm3']) {
      if (!(await whenFileExists(path.join(work, `member-${name}.env`), 180_000, () => stop))) return started;
      const slot = cluster.slots.get(name) as ClusterSlot;
      renameSync(slot.dataDir, `${slot.dataDir}.old`);
      await cluster.startFromEnvFile(name, path.join(work, `member-${name}.env`));
      started.push(name);
    }
    return started;
  })();
  return { done: () => (stop = true), finished };
}

/** Two of three members crash; this node's member (m1) is stopped, as the runbook asks before it restores. */
async function loseQuorum(cluster: EtcdCluster): Promise<void> {
  await cluster.kill('m2');
  await cluster.kill('m3');
  await cluster.stopMember('m1');
}

for (const version of VERSIONS) {
  test(`etcd ${version}: member recover brings back a 3-member cluster serving the backup after two of three members died`, async (t) => {
    const setup = await setUp(t, version);
    if (!setup) return;
    const { cluster, root, key, repo } = setup;
    const revisionAtLoss = parseEtcdJson<{ header: { revision: number } }>(await etcdctlOk(cluster.running.get('m1') as EtcdProcess, ['get', 'x', '-w', 'json'])).header.revision;
    await loseQuorum(cluster);

    const play = operator(cluster, root);
    const r = await runKubekeeper(recoverArgs(cluster, root, key, repo), { timeoutMs: 300_000 });
    play.done();
    assertOk(r);
    assert.deepEqual(await play.finished, ['m1', 'm2', 'm3']);
    assert.match(r.stdout, /==> Stop the API servers first, on every control-plane node/);
    assert.match(r.stdout, /none knows a leader/);
    assert.match(r.stdout, /backup "before-loss" of .*, checked/);
    assert.match(r.stdout, /revision \d+ -> \d+/);
    assert.match(r.stdout, /3 voting members, all healthy/);

    const m3 = cluster.running.get('m3') as EtcdProcess;
    const members = await etcdctlOk(m3, ['member', 'list', '-w', 'json']);
    assert.ok(!/"isLearner":\s*true/.test(members), members);
    assert.deepEqual((await memberList(m3)).map((m) => m.name).sort(), ['m1', 'm2', 'm3']);
    for (const name of ['m1', 'm2', 'm3']) {
      const member = cluster.running.get(name) as EtcdProcess;
      const got = await etcdctlOk(member, ['get', '/registry/secrets/', '--prefix', '--print-value-only', '--consistency=l']);
      assert.deepEqual(got.trim().split('\n').sort(), DATA.map(([, v]) => v).sort(), `data served by ${name}`);
      assert.equal((await etcdctlOk(member, ['get', 'after-backup', '--consistency=l'])).trim(), '', `${name} serves only the backup's data`);
    }
    // Kubernetes-safe: revisions moved forward by the bump, never back.
    const revision = parseEtcdJson<{ header: { revision: number } }>(await etcdctlOk(m3, ['get', 'x', '-w', 'json'])).header.revision;
    assert.ok(revision > 1_000_000_000 && revision > revisionAtLoss, `revision ${revision}`);
    await etcdctlOk(m3, ['put', 'after-recover', 'ok']);

    // Nothing deleted: m1's old data dir moved aside by the runbook, m2's and m3's by the operator as told.
    const m1Dir = (cluster.slots.get('m1') as ClusterSlot).dataDir;
    const aside = readdirSync(root).filter((n) => n.startsWith('m1.etcd.kubekeeper-old-'));
    assert.equal(aside.length, 1, readdirSync(root).join(' '));
    assert.ok(existsSync(path.join(root, aside[0] as string, 'member', 'wal')), 'the old m1 data is intact');
    assert.ok(existsSync(path.join(m1Dir, 'member', 'wal')));
    for (const n of ['m2', 'm3']) assert.ok(existsSync(path.join(root, `${n}.etcd.old`, 'member', 'wal')));
    const list = await runKubekeeper(['backup', 'list', '--repo', repo]);
    assert.match(list.stdout, /before-loss/);
  });
}

for (const version of VERSIONS) {
  test(`etcd ${version}: member recover --from-db restores a stopped member's own db, newest writes included`, async (t) => {
    const setup = await setUp(t, version);
    if (!setup) return;
    const { cluster, root, key, repo } = setup;
    await loseQuorum(cluster);
    const db = path.join((cluster.slots.get('m1') as ClusterSlot).dataDir, 'member', 'snap', 'db');
    const args = recoverArgs(cluster, root, key, repo).map((a) => (a.startsWith('--endpoints=') ? endpointsFlag(cluster, ['m2', 'm3']) : a));
    const from = args.indexOf('--from-backup');
    args.splice(from, 2, '--from-db', db);
    const play = operator(cluster, root);
    const r = await runKubekeeper(args, { timeoutMs: 300_000 });
    play.done();
    assertOk(r);
    assert.deepEqual(await play.finished, ['m1', 'm2', 'm3']);
    assert.match(r.stdout, /copied to .*recover-member\.db \(a member db: no sha256 trailer to check\)/);
    for (const name of ['m1', 'm2', 'm3']) {
      const member = cluster.running.get(name) as EtcdProcess;
      assert.equal((await etcdctlOk(member, ['get', 'after-backup', '--print-value-only', '--consistency=l'])).trim(), 'lost', `${name} serves the member db's newest write`);
      const got = await etcdctlOk(member, ['get', '/registry/secrets/', '--prefix', '--print-value-only', '--consistency=l']);
      assert.deepEqual(got.trim().split('\n').sort(), DATA.map(([, v]) => v).sort());
    }
    const aside = readdirSync(root).filter((n) => n.startsWith('m1.etcd.kubekeeper-old-'));
    assert.ok(existsSync(path.join(root, aside[0] as string, 'member', 'snap', 'db')), 'the source db was moved aside with its data dir, intact');
  });
}

const RECOVER_STEPS = [
  'stop-api-servers', 'check-quorum-lost', 'fetch', 'move-aside', 'restore', 'start-local',
  ...['m2', 'm3'].flatMap((n) => [`add-${n}`, `write-flags-${n}`, `wait-started-${n}`, `catch-up-${n}`, `promote-${n}`]), 'verify',
];

for (const version of VERSIONS) {
  test(`etcd ${version}: member recover killed after every step resumes to the same end state`, async (t) => {
    const setup = await setUp(t, version);
    if (!setup) return;
    const { cluster, root, key, repo } = setup;
    await loseQuorum(cluster);
    // --endpoints without this node's: a resumed run must still talk to the restored member, not the old ones.
    const args = recoverArgs(cluster, root, key, repo).map((a) => (a.startsWith('--endpoints=') ? endpointsFlag(cluster, ['m2', 'm3']) : a));

    const dry = await runKubekeeper([...args, '--dry-run']);
    assertOk(dry);
    assert.equal(dry.stdout.match(/^ +\d+\. /gm)?.length, RECOVER_STEPS.length, dry.stdout);
    assert.match(dry.stdout, / 1\. Stop the API servers first/);
    const rke = await runKubekeeper([...args, '--rke']);
    assertOk(rke);
    assert.match(rke.stdout, /rke etcd snapshot-restore --config cluster\.yml --name <snapshot>/);
    assert.equal(rke.stdout.match(/^ +\d+\. /gm)?.length, RECOVER_STEPS.length, rke.stdout);
    assert.equal(existsSync(path.join(root, 'state')), false, 'a dry run writes nothing');

    const play = operator(cluster, root);
    try {
      for (const step of RECOVER_STEPS) {
        const r = await runKubekeeper(args, { env: { KUBEKEEPER_TEST_CRASH_AT: `member-recover.${step}` }, timeoutMs: 240_000 });
        assert.equal(r.signal, 'SIGKILL', `crash at ${step}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      }
      const last = await runKubekeeper(args, { timeoutMs: 240_000 });
      assertOk(last);
      assert.equal(last.stdout.match(/already done/g)?.length, RECOVER_STEPS.length - 1, last.stdout);
    } finally {
      play.done();
    }
    assert.deepEqual(await play.finished, ['m1', 'm2', 'm3']);
    const m2 = cluster.running.get('m2') as EtcdProcess;
    assert.deepEqual((await memberList(m2)).map((m) => m.name).sort(), ['m1', 'm2', 'm3']);
    assert.ok(!/"isLearner":\s*true/.test(await etcdctlOk(m2, ['member', 'list', '-w', 'json'])));
    for (const name of ['m1', 'm2', 'm3']) {
      const got = await etcdctlOk(cluster.running.get(name) as EtcdProcess, ['get', '/registry/secrets/', '--prefix', '--print-value-only', '--consistency=l']);
      assert.deepEqual(got.trim().split('\n').sort(), DATA.map(([, v]) => v).sort(), `data served by ${name}`);
    }
    assert.equal(readdirSync(root).filter((n) => n.startsWith('m1.etcd.kubekeeper-old-')).length, 1, 'moved aside once');
  });
}

test(`etcd ${VERSIONS[0] as string}: member recover refuses a cluster that still has quorum and touches nothing`, async (t) => {
  const setup = await setUp(t, VERSIONS[0] as string);
  if (!setup) return;
  const { cluster, root, key, repo } = setup;
  // This node is m3, whose etcd died; m1 and m2 still form a quorum.
  await cluster.kill('m3');
  const m3 = cluster.slots.get('m3') as ClusterSlot;
  const r = await runKubekeeper([
    'member', 'recover', endpointsFlag(cluster, ['m1', 'm2', 'm3']), '--from-backup', 'latest', '--repo', repo, '-i', key,
    '--name', 'm3', '--initial-advertise-peer-urls', m3.peerUrl, '--advertise-client-urls', m3.clientUrl, '--data-dir', m3.dataDir,
    '--state-dir', path.join(root, 'state'),
  ], { timeoutMs: 120_000 });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /Cannot recover: ".*" reports a leader, so the cluster still has quorum/);
  assert.match(r.stderr, /kubekeeper member replace/);
  assert.equal(readdirSync(root).some((n) => n.includes('kubekeeper-old')), false);
  assert.ok(existsSync(path.join(m3.dataDir, 'member', 'wal')), 'the data dir of this node was not touched');
  assert.equal((await memberList(cluster.running.get('m1') as EtcdProcess)).length, 3);
});
