/**
 * planDrain: golden plans for whole nodes (test/fixtures/k8s/drain/<case>.input.json must plan
 * exactly <case>.expected.txt; UPDATE_GOLDEN=1 rewrites them after review), then the filter
 * matrix of spec §8 scenarios 6-11 as direct assertions.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../test/support/paths.js';
import type { PodSpec } from '../testing.js';
import { makePod } from '../testing.js';
import type { Pod } from '../types.js';
import type { DrainOptions } from './drain-options.js';
import { DEFAULT_DRAIN_OPTIONS } from './drain-options.js';
import type { DrainPlan } from './plan-drain.js';
import { planDrain } from './plan-drain.js';
import type { DaemonSetLookup } from './pod-filters.js';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'k8s', 'drain');
const NOW = Date.parse('2024-05-01T12:00:00Z');

function lookups(existing: readonly string[], pods: readonly Pod[]): Map<string, DaemonSetLookup> {
  const map = new Map<string, DaemonSetLookup>();
  for (const p of pods) {
    const ref = p.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'DaemonSet');
    if (!ref) continue;
    const key = `${p.metadata.namespace}/${ref.name}`;
    map.set(key, existing.includes(key) ? { found: true } : { found: false, notFound: true, message: `daemonsets.apps "${ref.name}" not found` });
  }
  return map;
}

function plan(pods: Pod[], options: Partial<DrainOptions> = {}, daemonSets: string[] = []): DrainPlan {
  return planDrain({ node: 'node-1', pods, daemonSets: lookups(daemonSets, pods), options: { ...DEFAULT_DRAIN_OPTIONS, ...options }, evictionVersion: 'policy/v1', nowMs: NOW });
}

function render(p: DrainPlan): string {
  const lines = [`node ${p.node} via ${p.method}${p.evictionVersion ? ` (${p.evictionVersion})` : ''}`];
  for (const d of p.decisions) lines.push(`${d.action.padEnd(6)} ${d.pod} [${d.decidedBy}]: ${d.why}`);
  lines.push(`warnings: ${p.warnings || '(none)'}`);
  for (const e of p.errors) lines.push(`error: ${e}`);
  lines.push(`evict: ${p.evict.map((x) => x.metadata.name).join(', ') || '(none)'}`);
  return `${lines.join('\n')}\n`;
}

for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.input.json')).sort()) {
  const name = file.slice(0, -'.input.json'.length);
  test(`planDrain matches the golden plan when the case is ${name}`, () => {
    const input = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as { node: string; now: string; options: Partial<DrainOptions>; daemonSets: string[]; pods: Array<PodSpec & { name: string }> };
    const pods = input.pods.map(({ name, ...spec }) => makePod(name, { node: input.node, ...spec }));
    const actual = render(planDrain({
      node: input.node,
      pods,
      daemonSets: lookups(input.daemonSets, pods),
      options: { ...DEFAULT_DRAIN_OPTIONS, ...input.options },
      evictionVersion: 'policy/v1',
      nowMs: Date.parse(input.now),
    }));
    const expectedFile = path.join(FIXTURES, `${name}.expected.txt`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedFile, actual);
    assert.equal(actual, readFileSync(expectedFile, 'utf8'));
  });
}

test('planDrain refuses a DaemonSet pod without --ignore-daemonsets and skips it with the flag', () => {
  const pods = [makePod('proxy', { owner: 'DaemonSet/kube-proxy', namespace: 'kube-system' })];
  assert.deepEqual(plan(pods, {}, ['kube-system/kube-proxy']).errors, ['cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/proxy']);
  const ignored = plan(pods, { ignoreDaemonSets: true }, ['kube-system/kube-proxy']);
  assert.deepEqual(ignored.errors, []);
  assert.equal(ignored.evict.length, 0);
  assert.equal(ignored.warnings, 'ignoring DaemonSet-managed Pods: kube-system/proxy');
});

test('planDrain evicts an orphaned DaemonSet pod only with --force', () => {
  const pods = [makePod('agent', { owner: 'DaemonSet/gone' })];
  assert.deepEqual(plan(pods).errors, ['cannot delete daemonsets.apps "gone" not found: default/agent']);
  const forced = plan(pods, { force: true });
  assert.deepEqual(forced.evict.map((p) => p.metadata.name), ['agent']);
  // kubectl's last-filter-wins: the unreplicated filter's "okay" overwrites the DaemonSet warning.
  assert.equal(forced.warnings, '');
  assert.match(forced.decisions[0]?.why ?? '', /no longer exists; deleted because of --force/);
});

test('planDrain evicts a finished DaemonSet pod without any flag', () => {
  const p = plan([makePod('once', { owner: 'DaemonSet/x', phase: 'Succeeded' })]);
  assert.deepEqual(p.errors, []);
  assert.deepEqual(p.evict.map((x) => x.metadata.name), ['once']);
});

test('planDrain skips a mirror pod silently even without flags', () => {
  const p = plan([makePod('etcd-node-1', { owner: 'Node/node-1', ownerApiVersion: 'v1', mirror: true, namespace: 'kube-system' })]);
  assert.deepEqual(p.errors, []);
  assert.equal(p.warnings, '');
  assert.equal(p.decisions[0]?.action, 'skip');
});

test('planDrain treats emptyDir as local storage and hostPath not', () => {
  assert.deepEqual(plan([makePod('c', { emptyDir: true })]).errors, ['cannot delete Pods with local storage (use --delete-emptydir-data to override): default/c']);
  assert.deepEqual(plan([makePod('c', { emptyDir: true })], { deleteEmptyDirData: true }).evict.length, 1);
  assert.deepEqual(plan([makePod('done', { emptyDir: true, phase: 'Failed' })]).errors, []);
  assert.deepEqual(plan([makePod('h', { hostPath: true })]).errors, []);
});

test('planDrain prints no warning when an emptyDir pod with a controller is deleted with the flag', () => {
  const p = plan([makePod('c', { emptyDir: true })], { deleteEmptyDirData: true });
  assert.equal(p.warnings, '');
  assert.match(p.decisions[0]?.why ?? '', /emptyDir volume scratch is deleted/);
});

test('planDrain refuses a bare pod without --force and warns with it', () => {
  assert.deepEqual(plan([makePod('b', { owner: 'none' })]).errors, ['cannot delete Pods that declare no controller (use --force to override): default/b']);
  const forced = plan([makePod('b', { owner: 'none' })], { force: true });
  assert.equal(forced.warnings, 'deleting Pods that declare no controller: default/b');
  assert.equal(forced.evict.length, 1);
});

test('planDrain treats a pod owned by a custom resource controller as managed', () => {
  const p = plan([makePod('db-0', { owner: 'Cluster/pg', ownerApiVersion: 'postgresql.example.com/v1' })]);
  assert.deepEqual(p.errors, []);
  assert.equal(p.evict.length, 1);
});

test('planDrain groups errors by message when two DaemonSet pods and a bare pod block the node', () => {
  const pods = [makePod('a', { owner: 'DaemonSet/ds' }), makePod('b', { owner: 'DaemonSet/ds' }), makePod('c', { owner: 'none' })];
  assert.deepEqual(plan(pods, {}, ['default/ds']).errors, [
    'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/a, default/b',
    'cannot delete Pods that declare no controller (use --force to override): default/c',
  ]);
});

test('planDrain uses the delete path when eviction is disabled or not served', () => {
  const pods = [makePod('w')];
  assert.equal(plan(pods, { disableEviction: true }).method, 'delete');
  const noEviction = planDrain({ node: 'n', pods, daemonSets: new Map(), options: DEFAULT_DRAIN_OPTIONS, evictionVersion: undefined, nowMs: NOW });
  assert.equal(noEviction.method, 'delete');
});
