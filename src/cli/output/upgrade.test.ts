/** Golden test of the upgrade renderer: output must equal test/fixtures/k8s/render/*.txt (UPDATE_GOLDEN=1 rewrites after review). */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../test/support/paths.js';
import { buildInventory, planUpgrade } from '../../k8s/index.js';
import { makeNode, makePod } from '../../k8s/testing.js';
import { renderUpgradePlanText, runbookEventLine } from './upgrade.js';

const GOLDEN = path.join(repoRoot, 'test', 'fixtures', 'k8s', 'render');

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

test('renderUpgradePlanText shows the component table, policy, warnings and numbered steps', () => {
  const cp = (c: string, v: string) => makePod(`${c}-cp1`, { namespace: 'kube-system', node: 'cp1', labels: { component: c, tier: 'control-plane' }, image: `registry.k8s.io/${c}:${v}` });
  const inventory = buildInventory({
    serverVersion: 'v1.28.6',
    nodes: [makeNode('cp1', { roles: ['control-plane'], kubeletVersion: 'v1.28.6' }), makeNode('w1', { kubeletVersion: 'v1.28.6' })],
    controlPlanePods: [cp('kube-apiserver', 'v1.28.6'), cp('kube-controller-manager', 'v1.28.6'), cp('kube-scheduler', 'v1.28.6'), cp('etcd', '3.5.10-0')],
    daemonSets: [],
  });
  golden('upgrade-plan', renderUpgradePlanText(planUpgrade({ inventory, target: '1.29.3' })));
});

test('runbookEventLine prints resume, step and wait lines', () => {
  const lines = [
    runbookEventLine({ type: 'resume', file: '/s/upgrade-w1-1.29.3.json', done: ['backup', 'cordon'] }),
    runbookEventLine({ type: 'step-already-done', step: 'cordon', title: 'Cordon node "w1"' }),
    runbookEventLine({ type: 'step-start', step: 'exec', title: 'Run the upgrade command on "w1"', rerun: true }),
    runbookEventLine({ type: 'waiting', what: 'w1', missing: 'kubelet reports v1.28.6' }),
    runbookEventLine({ type: 'step-done', step: 'backup', title: 'Take and verify an etcd snapshot', detail: 'worker node: no etcd backup needed', skipped: true }),
  ];
  golden('runbook-events', lines.map((l) => l?.text).join('\n') + '\n');
});
