/**
 * planUpgrade golden tests: test/fixtures/k8s/upgrade/<case>.input.json (nodes, static pod
 * versions, kube-proxy, target) must plan exactly <case>.expected.json (UPDATE_GOLDEN=1 rewrites
 * after review). Plus the rules of spec §8 scenario 38 as direct assertions.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../test/support/paths.js';
import { makeNode, makePod } from '../testing.js';
import type { DaemonSet, Pod } from '../types.js';
import type { ClusterInventory } from './inventory.js';
import { buildInventory } from './inventory.js';
import { planUpgrade } from './plan-upgrade.js';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'k8s', 'upgrade');

interface CompactCluster {
  serverVersion: string;
  target?: string;
  nodes: Array<{ name: string; roles?: string[]; kubeletVersion: string }>;
  staticPods: Record<string, Record<string, string>>;
  kubeProxy?: string;
}

function inventoryOf(input: CompactCluster): ClusterInventory {
  const controlPlanePods: Pod[] = [];
  for (const [node, components] of Object.entries(input.staticPods)) {
    for (const [component, version] of Object.entries(components)) {
      controlPlanePods.push(makePod(`${component}-${node}`, {
        namespace: 'kube-system', node, mirror: true, owner: `Node/${node}`, ownerApiVersion: 'v1',
        labels: { component, tier: 'control-plane' }, image: `registry.k8s.io/${component}:${version}`,
      }));
    }
  }
  const daemonSets: DaemonSet[] = input.kubeProxy
    ? [{ metadata: { name: 'kube-proxy', namespace: 'kube-system' }, spec: { template: { spec: { containers: [{ name: 'kube-proxy', image: `registry.k8s.io/kube-proxy:${input.kubeProxy}` }] } } } }]
    : [];
  return buildInventory({ serverVersion: input.serverVersion, nodes: input.nodes.map((n) => makeNode(n.name, n)), controlPlanePods, daemonSets });
}

const load = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, `${name}.input.json`), 'utf8')) as CompactCluster;

for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.input.json')).sort()) {
  const name = file.slice(0, -'.input.json'.length);
  test(`planUpgrade matches the golden plan when the case is ${name}`, () => {
    const input = load(name);
    const actual = `${JSON.stringify(planUpgrade({ inventory: inventoryOf(input), target: input.target }), null, 2)}\n`;
    const expectedFile = path.join(FIXTURES, `${name}.expected.json`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedFile, actual);
    assert.equal(actual, readFileSync(expectedFile, 'utf8'));
  });
}

test('planUpgrade refuses a target two minors up and plans nothing', () => {
  const plan = planUpgrade({ inventory: inventoryOf(load('skips-a-minor')), target: '1.30.0' });
  assert.equal(plan.steps.length, 0);
  assert.match(plan.blockers.join('\n'), /too high: upgrade one minor version at a time \(v1\.28 -> v1\.29/);
});

test('planUpgrade allows the next minor and a patch-only target', () => {
  assert.deepEqual(planUpgrade({ inventory: inventoryOf(load('kubeadm-minor-upgrade')), target: '1.29.0' }).blockers, []);
  assert.deepEqual(planUpgrade({ inventory: inventoryOf(load('kubeadm-minor-upgrade')), target: '1.28.9' }).blockers, []);
});

test('planUpgrade requires kubelets within the new skew before the apiserver moves', () => {
  const plan = planUpgrade({ inventory: inventoryOf(load('kubelet-too-old')), target: '1.29.3' });
  assert.equal(plan.blockers.length, 1);
  assert.match(plan.blockers[0] ?? '', /kubelet v1\.25\.16 on node "w1" would be 4 minor versions behind kube-apiserver v1\.29\.3 \(at most 3 supported\)/);
});

test('planUpgrade orders backup, health, etcd, control-plane nodes, workers, kube-proxy', () => {
  const plan = planUpgrade({ inventory: inventoryOf(load('kubeadm-minor-upgrade')), target: '1.29.3' });
  const kinds = plan.steps.map((s) => s.kind);
  assert.equal(kinds[0], 'backup');
  assert.equal(kinds[1], 'health');
  const last = (k: string) => kinds.lastIndexOf(k as (typeof kinds)[number]);
  const first = (k: string) => kinds.indexOf(k as (typeof kinds)[number]);
  assert.ok(last('etcd') < first('control-plane-node'));
  assert.ok(last('control-plane-node') < first('worker-node'));
  assert.ok(last('worker-node') < first('kube-proxy'));
  assert.deepEqual(plan.steps.filter((s) => s.kind === 'control-plane-node').map((s) => s.node), ['cp1', 'cp2', 'cp3']);
});

test('planUpgrade never downgrades etcd and refuses an etcd minor skip', () => {
  const patch = planUpgrade({ inventory: inventoryOf(load('patch-only')), target: '1.29.3' });
  assert.equal(patch.etcd.target, '3.5.15-0');
  assert.equal(patch.steps.filter((s) => s.kind === 'etcd').length, 0);
  const skip = planUpgrade({ inventory: inventoryOf(load('etcd-skips-a-minor')), target: '1.34.1' });
  assert.match(skip.blockers.join('\n'), /etcd 3\.4\.27-0 on node "cp1" cannot go straight to 3\.6\.4-0/);
});

test('planUpgrade uses the versions etcd members report and plans no etcd step when they already run the target release', async () => {
  const { withLiveEtcdVersions } = await import('./inventory.js');
  const inventory = withLiveEtcdVersions(inventoryOf(load('kubeadm-minor-upgrade')), [{ name: 'cp1', version: '3.5.12' }, { name: 'cp2', version: '3.5.12' }]);
  const plan = planUpgrade({ inventory, target: '1.29.3' });
  assert.deepEqual(plan.components.filter((c) => c.component === 'etcd').map((c) => [c.node, c.current, c.target]), [
    ['cp1', '3.5.12', '3.5.12'], ['cp2', '3.5.12', '3.5.12'], ['cp3', '3.5.10-0', '3.5.12-0'],
  ]);
  assert.deepEqual(plan.steps.filter((s) => s.kind === 'etcd').map((s) => s.node), ['cp3']);
});
