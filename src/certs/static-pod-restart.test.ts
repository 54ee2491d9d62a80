import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { AbortedError, AppError } from '../errors.js';
import { recoverParkedManifests, restartStaticPods, type StaticPodRuntime } from './static-pod-restart.js';
import { createManifestWatchingRuntime } from './testing.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'kk-staticpods-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

function node(): { manifestsDir: string; parkDir: string } {
  const root = path.join(scratch, `node-${n++}`);
  const manifestsDir = path.join(root, 'manifests');
  mkdirSync(manifestsDir, { recursive: true });
  for (const pod of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) writeFileSync(path.join(manifestsDir, `${pod}.yaml`), `name: ${pod}\n`);
  return { manifestsDir, parkDir: path.join(root, 'parked') };
}

test('restartStaticPods moves each manifest out, waits for the pod to stop, moves it back and waits for a new container', async () => {
  const dirs = node();
  const runtime = createManifestWatchingRuntime(dirs.manifestsDir);
  const steps: string[] = [];
  await restartStaticPods(['etcd', 'kube-apiserver'], { ...dirs, runtime, pollIntervalMs: 1, onProgress: (pod, step) => steps.push(`${pod} ${step}`) });
  assert.deepEqual(runtime.observations, [
    'etcd running etcd-1', 'etcd stopped', 'etcd running etcd-2',
    'kube-apiserver running kube-apiserver-1', 'kube-apiserver stopped', 'kube-apiserver running kube-apiserver-2']);
  assert.deepEqual(steps, ['etcd moved-out', 'etcd stopped', 'etcd moved-back', 'etcd running',
    'kube-apiserver moved-out', 'kube-apiserver stopped', 'kube-apiserver moved-back', 'kube-apiserver running']);
  assert.deepEqual(readdirSync(dirs.manifestsDir).sort(), ['etcd.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml']);
  assert.deepEqual(readdirSync(dirs.parkDir), []);
});

test('restartStaticPods puts the manifest back and fails with static-pod-timeout when the pod never stops', async () => {
  const dirs = node();
  const stuck: StaticPodRuntime = { runningContainerIds: async () => ['same-container'] };
  await assert.rejects(restartStaticPods(['kube-scheduler'], { ...dirs, runtime: stuck, timeoutMs: 30, pollIntervalMs: 5 }),
    (e: unknown) => e instanceof AppError && e.code === 'static-pod-timeout' && /to stop/.test(e.message));
  assert.equal(existsSync(path.join(dirs.manifestsDir, 'kube-scheduler.yaml')), true);
});

test('restartStaticPods puts the manifest back when interrupted while the pod is stopping', async () => {
  const dirs = node();
  const controller = new AbortController();
  const runtime: StaticPodRuntime = {
    runningContainerIds: async () => {
      if (!existsSync(path.join(dirs.manifestsDir, 'etcd.yaml'))) controller.abort();
      return ['etcd-1'];
    },
  };
  await assert.rejects(restartStaticPods(['etcd'], { ...dirs, runtime, pollIntervalMs: 1, signal: controller.signal }), AbortedError);
  assert.equal(existsSync(path.join(dirs.manifestsDir, 'etcd.yaml')), true);
});

test('restartStaticPods fails with static-pod-missing when the manifest is not there', async () => {
  const dirs = node();
  rmSync(path.join(dirs.manifestsDir, 'kube-scheduler.yaml'));
  await assert.rejects(restartStaticPods(['kube-scheduler'], { ...dirs, runtime: createManifestWatchingRuntime(dirs.manifestsDir), pollIntervalMs: 1 }),
    (e: unknown) => e instanceof AppError && e.code === 'static-pod-missing');
});

test('recoverParkedManifests moves back a manifest a crash left parked, unless one is already in place', async () => {
  const dirs = node();
  mkdirSync(dirs.parkDir);
  rmSync(path.join(dirs.manifestsDir, 'etcd.yaml'));
  writeFileSync(path.join(dirs.parkDir, 'etcd.yaml'), 'parked etcd\n');
  writeFileSync(path.join(dirs.parkDir, 'kube-apiserver.yaml'), 'stale copy\n');
  assert.deepEqual(await recoverParkedManifests(dirs.parkDir, dirs.manifestsDir), ['etcd']);
  assert.equal(existsSync(path.join(dirs.manifestsDir, 'etcd.yaml')), true);
  assert.deepEqual(readdirSync(dirs.parkDir), ['kube-apiserver.yaml']);
});
