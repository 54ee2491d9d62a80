/**
 * `upgrade plan` and `upgrade node` end to end: the built CLI against the local test API server
 * (not a real kube-apiserver) and, for the control-plane backup, a real etcd. The operator's
 * --exec command plays the kubelet: it PATCHes nodes/<node>/status with the new kubeletVersion
 * over the real API, as a restarted kubelet reports itself. An upgrade interrupted by SIGINT
 * during the command resumes where it stopped.
 */
import assert from 'node:assert/strict';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { UpgradePlan } from '../../src/k8s/index.js';
import { makeNode, makePod } from '../../src/k8s/testing.js';
import { runKubekeeper } from '../support/cli.js';
import type { EtcdProcess } from '../support/etcd.js';
import { etcdctlOk, startEtcd } from '../support/etcd.js';
import type { KubeApiServer } from '../support/kube-apiserver.js';
import { startKubeApiServer } from '../support/kube-apiserver.js';
import { tempDir } from '../support/temp.js';

let server: KubeApiServer;
let etcd: EtcdProcess;

before(async () => {
  [server, etcd] = await Promise.all([startKubeApiServer({ token: 'upgrade-token', gitVersion: 'v1.28.6' }), startEtcd({ name: 'cp1' })]);
  // Some cluster state, as a kube-apiserver would have written (a fresh etcd 3.4 has no consistent_index yet).
  await etcdctlOk(etcd, ['put', '/registry/namespaces/default', 'ns']);
});
after(async () => {
  await Promise.all([server.close(), etcd.stop()]);
});

const staticPod = (component: string, node: string, version: string) => makePod(`${component}-${node}`, {
  namespace: 'kube-system', node, mirror: true, owner: `Node/${node}`, ownerApiVersion: 'v1',
  labels: { component, tier: 'control-plane' }, image: `registry.k8s.io/${component}:${version}`,
});

/** A kubeadm-like cluster at 1.28.6: cp1 (stacked etcd 3.5.10-0), w1 and w2, a web pod on each worker. */
async function fresh(t: Parameters<typeof tempDir>[0]) {
  for (const map of [server.store.nodes, server.store.pods, server.store.daemonSets, server.store.pdbs]) map.clear();
  server.requests.length = 0;
  server.addNode(makeNode('cp1', { roles: ['control-plane'], kubeletVersion: 'v1.28.6' }));
  server.addNode(makeNode('w1', { kubeletVersion: 'v1.28.6' }));
  server.addNode(makeNode('w2', { kubeletVersion: 'v1.28.6' }));
  for (const c of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) server.addPod(staticPod(c, 'cp1', 'v1.28.6'));
  server.addPod(staticPod('etcd', 'cp1', '3.5.10-0'));
  server.addDaemonSet('kube-system', 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.28.6');
  server.addPod(makePod('web-1', { node: 'w1', owner: 'ReplicaSet/web-1' }), { terminatingReads: 0 });
  server.addPod(makePod('web-2', { node: 'cp1', owner: 'ReplicaSet/web-1' }), { terminatingReads: 0 });
  const dir = await tempDir(t);
  const kubeconfig = await server.writeKubeconfig(dir);
  const script = path.join(dir, 'kubelet-upgrade.mjs');
  await writeFile(script, [
    "import https from 'node:https';",
    "import { readFileSync } from 'node:fs';",
    'const [url, token, ca] = process.argv.slice(2);',
    'const node = process.env.KUBEKEEPER_NODE;',
    'const version = process.env.KUBEKEEPER_TARGET_VERSION;',
    "const req = https.request(`${url}/api/v1/nodes/${node}/status`, { method: 'PATCH', ca: readFileSync(ca), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/merge-patch+json' } }, (res) => {",
    '  res.resume();',
    "  res.on('end', () => { console.log(`kubelet on ${node} now reports ${version}`); process.exit(res.statusCode === 200 ? 0 : 1); });",
    '});',
    'req.end(JSON.stringify({ status: { nodeInfo: { kubeletVersion: version } } }));',
    '',
  ].join('\n'));
  const exec = `"${process.execPath}" "${script}" ${server.url} ${server.token} "${server.caFile}"`;
  return { dir, kubeconfig, exec, stateDir: path.join(dir, 'state') };
}

test('kubekeeper upgrade plan lists versions and the ordered steps when the target is one minor up', async (t) => {
  const { kubeconfig } = await fresh(t);
  const r = await runKubekeeper(['upgrade', 'plan', '--kubeconfig', kubeconfig, '--to', '1.29.3', '-w', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as UpgradePlan;
  assert.equal(plan.clusterVersion, 'v1.28.6');
  assert.deepEqual(plan.blockers, []);
  assert.deepEqual(plan.components.find((c) => c.component === 'etcd'), { component: 'etcd', node: 'cp1', current: '3.5.10-0', target: '3.5.12-0' });
  assert.deepEqual(plan.steps.map((s) => `${s.kind}${s.node ? ` ${s.node}` : ''}`), [
    'backup', 'health', 'etcd cp1', 'control-plane-node cp1', 'control-plane-check', 'worker-node w1', 'worker-node w2', 'kube-proxy', 'health',
  ]);
});

test('kubekeeper upgrade plan reads the etcd version each member reports when --etcd-endpoints is given', async (t) => {
  const { kubeconfig } = await fresh(t);
  const r = await runKubekeeper(['upgrade', 'plan', '--kubeconfig', kubeconfig, '--to', '1.29.3', '--etcd-endpoints', etcd.clientUrl, '-w', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as UpgradePlan;
  // The test etcd is 3.4.23: a minor step to 3.5, allowed with the advice to reach the latest 3.4 patch first.
  assert.deepEqual(plan.components.find((c) => c.component === 'etcd'), { component: 'etcd', node: 'cp1', current: '3.4.23', target: '3.5.12-0' });
  assert.ok(plan.warnings.some((w) => w.startsWith('etcd 3.4.23 on node "cp1" changes minor version')), plan.warnings.join('\n'));
});

test('kubekeeper upgrade plan refuses a target two minors up with exit code 3', async (t) => {
  const { kubeconfig } = await fresh(t);
  const r = await runKubekeeper(['upgrade', 'plan', '--kubeconfig', kubeconfig, '--to', 'v1.30.0']);
  assert.equal(r.code, 3);
  assert.match(r.stdout, /Upgrade to v1\.30\.0 refused:\n {2}- v1\.30\.0 is too high: upgrade one minor version at a time \(v1\.28 -> v1\.29 -> \.\.\. -> v1\.30\)/);
  assert.doesNotMatch(r.stdout, /Steps, in order/);
});

test('kubekeeper upgrade node resumes an upgrade interrupted during the command without draining again', async (t) => {
  const { kubeconfig, exec, stateDir } = await fresh(t);
  const common = ['upgrade', 'node', 'w1', '--to', '1.29.3', '--kubeconfig', kubeconfig, '--state-dir', stateDir];
  const first = await runKubekeeper([...common, '--exec', 'sleep 30'], {
    onSpawn: (child) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('==> Run the upgrade command')) child.kill('SIGINT');
      });
    },
  });
  assert.equal(first.code, 130, first.stdout + first.stderr);
  const stateFile = path.join(stateDir, 'upgrade-w1-1.29.3.json');
  const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { steps: Record<string, { status: string }> };
  assert.deepEqual(Object.fromEntries(Object.entries(saved.steps).map(([k, v]) => [k, v.status])), { backup: 'skipped', cordon: 'done', drain: 'done', exec: 'started' });
  assert.equal((await stat(stateFile)).mode & 0o777, 0o600);
  assert.equal(server.store.nodes.get('w1')?.spec?.unschedulable, true, 'left cordoned while interrupted');

  const second = await runKubekeeper([...common, '--exec', exec]);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.match(second.stdout, /^Resuming from .*upgrade-w1-1\.29\.3\.json \(done: backup, cordon, drain\)\n/);
  assert.match(second.stdout, /==> Drain node "w1": already done\n/);
  assert.match(second.stdout, /==> Run the upgrade command on "w1" \(again: it was interrupted\)\nkubelet on w1 now reports v1\.29\.3\n/);
  assert.match(second.stdout, /All steps done/);
  assert.equal(server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/eviction')).length, 1, 'drained once');
  const w1 = server.store.nodes.get('w1');
  assert.equal((w1?.status?.nodeInfo as { kubeletVersion?: string }).kubeletVersion, 'v1.29.3');
  assert.equal(w1?.spec?.unschedulable, undefined, 'uncordoned at the end');
});

test('kubekeeper upgrade node backs up etcd and verifies the snapshot before touching a control-plane node', async (t) => {
  const { dir, kubeconfig, exec, stateDir } = await fresh(t);
  const common = ['upgrade', 'node', 'cp1', '--to', '1.29.3', '--kubeconfig', kubeconfig, '--state-dir', stateDir, '--exec', exec, '--ignore-daemonsets'];
  const refused = await runKubekeeper(common);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /Node "cp1" is a control-plane node: an etcd backup comes first\nHint: Pass --backup-dir DIR and --etcd-endpoints/);
  assert.equal(server.store.nodes.get('cp1')?.spec?.unschedulable, undefined, 'nothing touched without a backup');

  const backups = path.join(dir, 'backups');
  const r = await runKubekeeper([...common, '--backup-dir', backups, '--etcd-endpoints', etcd.clientUrl]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /==> Take and verify an etcd snapshot \(again: it was interrupted\)\n {4}done: snapshot .*pre-upgrade-cp1-\d{8}T\d{6}Z\.db \(revision \d+, sha256 [0-9a-f]{12}…, verified\)/);
  const files = await readdir(backups);
  assert.equal(files.length, 1);
  assert.equal((await stat(path.join(backups, files[0] as string))).mode & 0o777, 0o600);
  const verify = await runKubekeeper(['snapshot', 'verify', path.join(backups, files[0] as string)]);
  assert.equal(verify.code, 0, verify.stdout);
  // The health step ran with etcd included and passed; the node is back in service.
  assert.match(r.stdout, /==> Check cluster health\n {4}done: healthy/);
  assert.equal(server.store.nodes.get('cp1')?.spec?.unschedulable, undefined);
});
