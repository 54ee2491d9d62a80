/** Golden test of the drain renderer: output must equal test/fixtures/k8s/render/*.txt (UPDATE_GOLDEN=1 rewrites after review). */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../test/support/paths.js';
import { DEFAULT_DRAIN_OPTIONS, planDrain } from '../../k8s/index.js';
import type { DrainEvent } from '../../k8s/index.js';
import { makePod } from '../../k8s/testing.js';
import { drainEventLine, drainFailureLines, renderDrainPlan } from './drain.js';

const GOLDEN = path.join(repoRoot, 'test', 'fixtures', 'k8s', 'render');

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

test('drainEventLine prints kubectl\'s lines when a drain retries, evicts and finishes', () => {
  const events: DrainEvent[] = [
    { type: 'cordon', result: { node: 'n1', outcome: 'cordoned', dryRun: false } },
    { type: 'cordon-failed', node: 'n2', message: 'nodes "n2" is forbidden' },
    { type: 'warning', node: 'n1', text: 'ignoring DaemonSet-managed Pods: kube-system/kube-proxy-x' },
    { type: 'evicting', pod: 'default/web-1', method: 'eviction', dryRun: false },
    { type: 'evict-retry', pod: 'default/web-1', message: "Cannot evict pod as it would violate the pod's disruption budget.", budget: 'default/web-pdb', retryInMs: 5000, namespaceTerminating: false },
    { type: 'evict-retry', pod: 'gone-ns/p', message: 'namespace gone-ns is being terminated', budget: undefined, retryInMs: 5000, namespaceTerminating: true },
    { type: 'gone', pod: 'default/web-1', method: 'eviction' },
    { type: 'evicting', pod: 'default/db-0', method: 'delete', dryRun: false },
    { type: 'gone', pod: 'default/db-0', method: 'delete' },
    { type: 'skip-wait', pod: 'default/stuck', seconds: 30 },
    { type: 'drained', node: 'n1', dryRun: true },
  ];
  golden('drain-events', events.map((e) => { const l = drainEventLine(e); return `${l?.stream}: ${l?.text}`; }).join('\n') + '\n');
});

test('renderDrainPlan shows every pod with its action and reason when the node is refused', () => {
  const pods = [makePod('web-1'), makePod('debug', { owner: 'none' }), makePod('etcd-n1', { namespace: 'kube-system', mirror: true, owner: 'Node/n1', ownerApiVersion: 'v1' })];
  golden('drain-plan', renderDrainPlan(planDrain({ node: 'node-1', pods, daemonSets: new Map(), options: DEFAULT_DRAIN_OPTIONS, evictionVersion: 'policy/v1', nowMs: 0 })));
});

test('drainFailureLines ends with kubectl\'s "unable to drain node" line after the pending pods and budgets', () => {
  const plan = planDrain({ node: 'node-1', pods: [], daemonSets: new Map(), options: DEFAULT_DRAIN_OPTIONS, evictionVersion: 'policy/v1', nowMs: 0 });
  const error = '[error when evicting pods/"web-1" -n "default": global timeout reached: 8s, error when waiting for pod "slow" in namespace "default" to terminate: context deadline exceeded]';
  const lines = drainFailureLines({
    node: 'node-1', plan, dryRun: false, drained: false, error, pending: ['default/slow', 'default/web-1'],
    failures: [{ pod: 'default/web-1', message: 'x' }, { pod: 'default/slow', message: 'y' }],
    blockedBy: [{ budget: 'default/web', detail: 'needs 2 healthy pods and has 2 currently', pods: ['default/web-1'] }],
  });
  assert.deepEqual(lines, [
    `There are pending pods in node "node-1" when an error occurred: ${error}`,
    'pod/slow',
    'pod/web-1',
    'PodDisruptionBudget default/web (needs 2 healthy pods and has 2 currently) still blocks eviction of: default/web-1',
    `error: unable to drain node "node-1" due to error: ${error}, continuing command...`,
  ]);
});
