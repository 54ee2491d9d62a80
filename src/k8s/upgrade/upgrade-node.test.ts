/**
 * upgradeNode with fakes: the guard order, the state file, resume after an interruption, a
 * failed command, and the re-drain when the node was uncordoned while paused.
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { AbortedError, AppError } from '../../errors.js';
import { tempDir } from '../../../test/support/temp.js';
import { DEFAULT_DRAIN_OPTIONS } from '../drain/drain-options.js';
import { createFakeClock, FakeCluster, makeNode, makePod } from '../testing.js';
import type { UpgradeNodeDeps } from './upgrade-node.js';
import { upgradeNode } from './upgrade-node.js';

function setup(roles: string[] = ['control-plane']) {
  const cluster = new FakeCluster({ nodes: [makeNode('cp1', { roles, kubeletVersion: 'v1.28.6' })], pods: [makePod('web-1', { node: 'cp1' })] });
  const log: string[] = [];
  const deps: UpgradeNodeDeps = {
    api: cluster,
    takeBackup: async () => {
      log.push('backup');
      return '/backups/pre-upgrade.db';
    },
    runCommand: async (command, env) => {
      log.push(`exec ${command} ${env.KUBEKEEPER_NODE} ${env.KUBEKEEPER_TARGET_VERSION}`);
      // The "upgrade": the kubelet comes back with the new version.
      (cluster.nodes.get('cp1') as ReturnType<typeof makeNode>).status!.nodeInfo!.kubeletVersion = 'v1.29.3';
      return 0;
    },
    checkHealth: async () => {
      log.push('health');
      return { healthy: true, problems: [] };
    },
  };
  return { cluster, deps, log };
}

test('upgradeNode runs backup, cordon, drain, command, wait, health, uncordon in that order', async (t) => {
  const dir = await tempDir(t);
  const { cluster, deps, log } = setup();
  const stateFile = path.join(dir, 'state', 'cp1.json');
  const state = await upgradeNode(deps, { node: 'cp1', target: '1.29.3', command: 'upgrade.sh', drain: DEFAULT_DRAIN_OPTIONS, readyTimeoutMs: 60_000, stateFile, clock: createFakeClock() });
  assert.deepEqual(log, ['backup', 'exec upgrade.sh cp1 v1.29.3', 'health']);
  assert.deepEqual(Object.keys(state.steps), ['backup', 'cordon', 'drain', 'exec', 'wait-ready', 'health', 'uncordon']);
  assert.ok(Object.values(state.steps).every((s) => s.status === 'done'));
  assert.ok(cluster.calls.indexOf('cordon cp1') < cluster.calls.findIndex((c) => c.startsWith('evict')));
  assert.equal(cluster.nodes.get('cp1')?.spec?.unschedulable, undefined, 'uncordoned at the end');
  assert.equal((await stat(stateFile)).mode & 0o777, 0o600);
  assert.ok(JSON.parse(await readFile(stateFile, 'utf8')).finishedAt);
});

test('upgradeNode skips the backup on a worker node', async (t) => {
  const { deps, log } = setup([]);
  const state = await upgradeNode(deps, { node: 'cp1', target: '1.29.3', command: 'x', drain: DEFAULT_DRAIN_OPTIONS, readyTimeoutMs: 60_000, stateFile: path.join(await tempDir(t), 's.json'), clock: createFakeClock() });
  assert.equal(state.steps.backup?.status, 'skipped');
  assert.ok(!log.includes('backup'));
});

test('upgradeNode resumes at the interrupted step without repeating finished ones', async (t) => {
  const stateFile = path.join(await tempDir(t), 's.json');
  const { cluster, deps, log } = setup();
  const controller = new AbortController();
  const realRun = deps.runCommand;
  deps.runCommand = async () => {
    controller.abort();
    throw new AbortedError('Running the upgrade command');
  };
  const options = { node: 'cp1', target: '1.29.3', command: 'upgrade.sh', drain: DEFAULT_DRAIN_OPTIONS, readyTimeoutMs: 60_000, stateFile, clock: createFakeClock() };
  await assert.rejects(upgradeNode(deps, { ...options, signal: controller.signal }), AbortedError);
  const saved = JSON.parse(await readFile(stateFile, 'utf8'));
  assert.equal(saved.steps.exec.status, 'started');
  assert.equal(saved.steps.drain.status, 'done');

  deps.runCommand = realRun;
  log.length = 0;
  const evictsBefore = cluster.calls.filter((c) => c.startsWith('evict')).length;
  const events: string[] = [];
  await upgradeNode(deps, { ...options, onEvent: (e) => events.push(e.type) });
  assert.deepEqual(log, ['exec upgrade.sh cp1 v1.29.3', 'health'], 'backup is not taken again');
  assert.equal(cluster.calls.filter((c) => c.startsWith('evict')).length, evictsBefore, 'no second drain');
  assert.equal(events[0], 'resume');
});

test('upgradeNode drains again when the node was uncordoned while paused', async (t) => {
  const stateFile = path.join(await tempDir(t), 's.json');
  const { cluster, deps } = setup();
  const failing = deps.runCommand;
  deps.runCommand = async () => 1;
  const options = { node: 'cp1', target: '1.29.3', command: 'upgrade.sh', drain: DEFAULT_DRAIN_OPTIONS, readyTimeoutMs: 60_000, stateFile, clock: createFakeClock() };
  await assert.rejects(upgradeNode(deps, options), (err: AppError) => err.code === 'exec-failed' && /exited with code 1/.test(err.message));
  // Someone uncordons; a pod lands on the node again.
  await cluster.setUnschedulable('cp1', false);
  cluster.pods.set('default/web-2', makePod('web-2', { node: 'cp1' }));
  deps.runCommand = failing;
  await upgradeNode(deps, options);
  assert.ok(cluster.calls.includes('evict default/web-2 policy/v1'));
});

test('upgradeNode refuses a state file from another run', async (t) => {
  const stateFile = path.join(await tempDir(t), 's.json');
  const { deps } = setup();
  deps.runCommand = async () => 1;
  const options = { node: 'cp1', target: '1.29.3', command: 'upgrade.sh', drain: DEFAULT_DRAIN_OPTIONS, readyTimeoutMs: 60_000, stateFile, clock: createFakeClock() };
  await assert.rejects(upgradeNode(deps, options));
  await assert.rejects(upgradeNode(deps, { ...options, target: '1.29.4' }), (err: AppError) => err.code === 'state-mismatch');
});

test('upgradeNode times out when the kubelet never reports the target version', async (t) => {
  const { deps } = setup();
  deps.runCommand = async () => 0;
  await assert.rejects(
    upgradeNode(deps, { node: 'cp1', target: '1.29.3', command: 'x', drain: DEFAULT_DRAIN_OPTIONS, readyTimeoutMs: 30_000, stateFile: path.join(await tempDir(t), 's.json'), clock: createFakeClock() }),
    (err: AppError) => err.code === 'node-wait-timeout' && /kubelet reports v1\.28\.6/.test(err.message),
  );
});

test('upgradeNode keeps the node cordoned when health fails after the upgrade', async (t) => {
  const { cluster, deps } = setup();
  deps.checkHealth = async () => ({ healthy: false, problems: ['API server /readyz is not healthy (failed checks: etcd)'] });
  await assert.rejects(
    upgradeNode(deps, { node: 'cp1', target: '1.29.3', command: 'x', drain: DEFAULT_DRAIN_OPTIONS, readyTimeoutMs: 60_000, stateFile: path.join(await tempDir(t), 's.json'), clock: createFakeClock() }),
    (err: AppError) => err.code === 'health-failed' && /failed checks: etcd/.test(err.message),
  );
  assert.equal(cluster.nodes.get('cp1')?.spec?.unschedulable, true);
});
