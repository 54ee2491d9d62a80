/**
 * `kubekeeper member replace` against real 3-member etcd clusters on 127.0.0.1 (etcd 3.6 and
 * 3.4, the oldest the suite runs): a member is SIGKILLed and its data dir wiped; the runbook
 * removes it, adds the new member as a learner, writes its flags (the test starts etcd from
 * them, as an operator on the new node would), waits for it, promotes it. Also: the run killed
 * (SIGKILL) after every step's work and rerun ends in the same state; a removal that would
 * lose quorum is refused and changes nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { runKubekeeper, type CliResult } from '../support/cli.js';
import { etcdctlOk, type EtcdProcess } from '../support/etcd.js';
import { endpointsFlag, startEtcdCluster, whenFileExists, type ClusterSlot, type EtcdCluster } from '../support/etcd-cluster.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { repoRoot } from '../support/paths.js';
import { memberList } from '../support/restore.js';
import { tempDir } from '../support/temp.js';
import { generateTls } from '../support/tls.js';

const VERSIONS = [pinnedVersions.ETCD_36 as string, pinnedVersions.ETCD_34_DEBIAN as string];
const STEPS = ['check-quorum', 'snapshot', 'remove', 'add-learner', 'write-flags', 'wait-started', 'catch-up', 'promote', 'verify'];
const DATA = Array.from({ length: 20 }, (_, i) => [`/registry/configmaps/default/cm-${i}`, `value-${i}`] as const);

async function setUp(t: TestContext, version: string): Promise<{ cluster: EtcdCluster; root: string } | undefined> {
  const { peer, missing } = findEtcd(version);
  if (!peer) {
    t.skip(missing);
    return undefined;
  }
  const root = await tempDir(t, `kk-member-${version}-`);
  const cluster = await startEtcdCluster(peer, root);
  t.after(() => cluster.stop());
  const m1 = cluster.running.get('m1') as EtcdProcess;
  for (const [k, v] of DATA) await etcdctlOk(m1, ['put', k, v]);
  return { cluster, root };
}

function replaceArgs(cluster: EtcdCluster, root: string, failed: string, slot: ClusterSlot, extra: string[] = []): string[] {
  return [
    'member', 'replace', failed, endpointsFlag(cluster, ['m1', 'm2']), '--new-name', slot.name, '--new-peer-urls', slot.peerUrl,
    '--backup-dir', path.join(root, 'backups'), '--state-dir', path.join(root, 'state'), '--wait-timeout', '120s', ...extra,
  ];
}

/** Plays the operator on the new node: starts etcd from the env file once the runbook wrote it. */
function operatorStartsNewMember(cluster: EtcdCluster, envFile: string, name: string): { done: () => void; started: Promise<boolean> } {
  let stop = false;
  const started = (async () => {
    if (!(await whenFileExists(envFile, 180_000, () => stop))) return false;
    await cluster.startFromEnvFile(name, envFile);
    return true;
  })();
  return { done: () => (stop = true), started };
}

/** The end state every path must reach: m1, m2 and the new member, all voting, all serving the data. */
async function assertReplaced(cluster: EtcdCluster, newName: string): Promise<void> {
  const m1 = cluster.running.get('m1') as EtcdProcess;
  const list = await memberList(m1);
  assert.deepEqual(list.map((m) => m.name).sort(), ['m1', 'm2', newName]);
  const table = await etcdctlOk(m1, ['member', 'list', '-w', 'json']);
  assert.ok(!/"isLearner":\s*true/.test(table), `a learner is left: ${table}`);
  await etcdctlOk(m1, ['put', 'after-replace', 'yes']);
  for (const name of ['m1', 'm2', newName]) {
    const member = cluster.running.get(name) as EtcdProcess;
    const got = await etcdctlOk(member, ['get', '/registry/configmaps/', '--prefix', '--print-value-only', '--consistency=l']);
    assert.deepEqual(got.trim().split('\n').sort(), DATA.map(([, v]) => v).sort(), `data served by ${name}`);
    assert.equal((await etcdctlOk(member, ['get', 'after-replace', '--print-value-only', '--consistency=l'])).trim(), 'yes');
  }
}

function assertOk(r: CliResult): void {
  assert.equal(r.code, 0, `exit ${r.code} ${r.signal ?? ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

for (const version of VERSIONS) {
  test(`etcd ${version}: member replace brings a killed and wiped member's cluster back to 3 healthy voting members`, async (t) => {
    const setup = await setUp(t, version);
    if (!setup) return;
    const { cluster, root } = setup;
    const m3 = cluster.slots.get('m3') as ClusterSlot;
    await cluster.kill('m3');
    rmSync(m3.dataDir, { recursive: true, force: true });
    const m4 = await cluster.addSlot('m4');

    const dry = await runKubekeeper(replaceArgs(cluster, root, 'm3', m4, ['--dry-run']));
    assertOk(dry);
    assert.match(dry.stdout, /Steps \(--dry-run: nothing was changed\):\n {2}1\. Check that removing "m3" keeps quorum\n/);
    assert.match(dry.stdout, / 9\. Verify: every member votes/);
    const rke = await runKubekeeper(replaceArgs(cluster, root, 'm3', m4, ['--rke']));
    assertOk(rke);
    assert.match(rke.stdout, /RKE \(etcd in Docker\): kubekeeper only prints the steps:\n.*"rke up"/);
    assert.match(rke.stdout, / 9\. Verify: every member votes/);
    assert.equal(existsSync(path.join(root, 'state')), false, 'a dry run writes no state');
    assert.equal((await memberList(cluster.running.get('m1') as EtcdProcess)).length, 3);

    const envFile = path.join(root, 'state', 'member-m4.env');
    const operator = operatorStartsNewMember(cluster, envFile, 'm4');
    const ca = generateTls(mkdirSync(path.join(root, 'etcd-ca'), { recursive: true }) as string);
    const withCerts = ['--etcd-ca-dir', ca.dir, '--cert-dir', path.join(root, 'm4-pki')];
    const r = await runKubekeeper(replaceArgs(cluster, root, 'm3', m4, withCerts), { timeoutMs: 240_000 });
    operator.done();
    assertOk(r);
    assert.equal(await operator.started, true);
    for (const title of ['Remove the failed member "m3"', 'Add "m4"', 'Wait for "m4" to start', 'Promote "m4" to a voting member']) assert.ok(r.stdout.includes(`==> ${title}`), r.stdout);
    assert.match(r.stdout, /etcd --name=m4 --initial-cluster=\S*m4=http:\/\/127\.0\.0\.1:\d+\S* --initial-cluster-state=existing/);
    assert.match(r.stdout, /3 voting members, all healthy/);
    assert.match(r.stdout, /==> Issue the server and peer certificates of "m4" from the etcd CA\n {4}done: server\.crt, peer\.crt \(CN m4, SANs m4, localhost, 127\.0\.0\.1/);
    for (const f of ['server.crt', 'peer.crt']) {
      assert.match(execFileSync('openssl', ['verify', '-CAfile', ca.caCert, path.join(root, 'm4-pki', f)], { encoding: 'utf8' }), /: OK/);
    }
    await assertReplaced(cluster, 'm4');
    const snapshots = readdirSync(path.join(root, 'backups'));
    assert.equal(snapshots.length, 1);
    assert.match(snapshots[0] as string, /^member-replace-m3-.*\.db$/);
    const state = path.join(root, 'state', 'member-replace-m3.json');
    assert.equal(statSync(state).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(state)).mode & 0o777, 0o700);
    assert.equal(statSync(envFile).mode & 0o777, 0o600);
    // A rerun after the end changes nothing.
    const again = await runKubekeeper(replaceArgs(cluster, root, 'm3', m4, withCerts));
    assertOk(again);
    assert.equal(again.stdout.match(/already done/g)?.length, STEPS.length + 1, again.stdout);
  });

  test(`etcd ${version}: member replace killed after every step resumes to the same end state`, async (t) => {
    const setup = await setUp(t, version);
    if (!setup) return;
    const { cluster, root } = setup;
    await cluster.kill('m3');
    rmSync((cluster.slots.get('m3') as ClusterSlot).dataDir, { recursive: true, force: true });
    const m4 = await cluster.addSlot('m4');
    const operator = operatorStartsNewMember(cluster, path.join(root, 'state', 'member-m4.env'), 'm4');
    // As on a kubeadm node: the etcd manifest kubeadm wrote gets the join flags, once, atomically.
    const manifest = path.join(root, 'manifests', 'etcd.yaml');
    mkdirSync(path.dirname(manifest));
    copyFileSync(path.join(repoRoot, 'test/fixtures/kubeadm/etcd.yaml'), manifest);
    chmodSync(manifest, 0o600);
    const steps = [...STEPS.slice(0, 4), 'kubeadm-manifest', ...STEPS.slice(4)];
    const args = replaceArgs(cluster, root, 'm3', m4, ['--kubeadm-manifest', manifest]);
    try {
      for (const step of steps) {
        const r = await runKubekeeper(args, { env: { KUBEKEEPER_TEST_CRASH_AT: `member-replace.${step}` }, timeoutMs: 240_000 });
        assert.equal(r.signal, 'SIGKILL', `crash at ${step}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
        assert.ok(r.stdout.includes('==> '), r.stdout);
      }
      const last = await runKubekeeper(args, { timeoutMs: 240_000 });
      assertOk(last);
      // Every step but verify was recorded before the next run; verify (killed after its work) runs again.
      assert.equal(last.stdout.match(/already done/g)?.length, steps.length - 1, last.stdout);
      assert.match(last.stdout, /==> Verify: every member votes and serves a linearizable read \(again: it was interrupted\)/);
    } finally {
      operator.done();
    }
    await assertReplaced(cluster, 'm4');
    assert.equal(readdirSync(path.join(root, 'backups')).length, 1, 'the snapshot rerun replaced its own file');
    const edited = readFileSync(manifest, 'utf8');
    const initialCluster = /- --initial-cluster=(\S+)\n/.exec(edited)?.[1];
    assert.deepEqual(initialCluster?.split(',').map((e) => e.split('=')[0]).sort(), ['m1', 'm2', 'm4']);
    assert.match(edited, /\n {4}- --name=m4\n/);
    assert.match(edited, /\n {4}- --initial-cluster-state=existing\n/);
    assert.match(edited, new RegExp(`\\n {4}- --initial-advertise-peer-urls=${m4.peerUrl}\\n`));
    assert.equal(statSync(manifest).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(path.dirname(manifest)), ['etcd.yaml'], 'no temp file or second manifest in the static pod folder');
    assert.equal(readFileSync(path.join(root, 'state', 'etcd.yaml.before-m4'), 'utf8'), readFileSync(path.join(repoRoot, 'test/fixtures/kubeadm/etcd.yaml'), 'utf8'));
  });
}

test(`etcd ${VERSIONS[0] as string}: member replace refuses a removal that would lose quorum and changes nothing`, async (t) => {
  const setup = await setUp(t, VERSIONS[0] as string);
  if (!setup) return;
  const { cluster, root } = setup;
  await cluster.kill('m3');
  const m9 = await cluster.addSlot('m9');
  const r = await runKubekeeper(replaceArgs(cluster, root, 'm1', m9));
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /Cannot remove member "m1" \([0-9a-f]+\): the 2 voting members left would have only 1 up \("m3" down\), fewer than the 2 a quorum needs/);
  assert.match(r.stderr, /kubekeeper member replace m3/);
  const m1 = cluster.running.get('m1') as EtcdProcess;
  assert.deepEqual((await memberList(m1)).map((m) => m.name).sort(), ['m1', 'm2', 'm3']);
  assert.equal(existsSync(path.join(root, 'backups')), false, 'no snapshot: the check comes first');
  await etcdctlOk(m1, ['put', 'still-writable', 'yes']);
});
