/** Kubeconfig resolution as kubectl does it: --kubeconfig, KUBECONFIG list (first wins), ~/.kube/config, --context. */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { AppError } from '../../errors.js';
import { tempDir } from '../../../test/support/temp.js';
import { loadKubeConfig } from './load-kubeconfig.js';

function config(cluster: string, server: string, context: string): string {
  return [
    'apiVersion: v1', 'kind: Config',
    `clusters:\n- name: ${cluster}\n  cluster:\n    server: ${server}`,
    `users:\n- name: ${cluster}-user\n  user:\n    token: t`,
    `contexts:\n- name: ${context}\n  context:\n    cluster: ${cluster}\n    user: ${cluster}-user`,
    `current-context: ${context}`, '',
  ].join('\n');
}

test('loadKubeConfig merges the KUBECONFIG list with the first file winning and missing files ignored', async (t) => {
  const dir = await tempDir(t);
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  await writeFile(a, config('prod', 'https://prod.example:6443', 'prod'));
  await writeFile(b, `${config('prod', 'https://other.example:6443', 'stage')}`);
  const kc = loadKubeConfig({ env: { KUBECONFIG: [path.join(dir, 'missing'), a, b].join(path.delimiter) } });
  assert.equal(kc.getCurrentContext(), 'prod');
  assert.equal(kc.getCurrentCluster()?.server, 'https://prod.example:6443');
  assert.deepEqual(kc.getContexts().map((c) => c.name).sort(), ['prod', 'stage']);
  const stage = loadKubeConfig({ context: 'stage', env: { KUBECONFIG: [a, b].join(path.delimiter) } });
  assert.equal(stage.getCurrentCluster()?.server, 'https://prod.example:6443', 'the cluster named "prod" comes from the first file');
});

test('loadKubeConfig prefers --kubeconfig over KUBECONFIG and falls back to ~/.kube/config', async (t) => {
  const dir = await tempDir(t);
  await mkdir(path.join(dir, '.kube'));
  await writeFile(path.join(dir, '.kube', 'config'), config('home', 'https://home.example:6443', 'home'));
  await writeFile(path.join(dir, 'flag'), config('flag', 'https://flag.example:6443', 'flag'));
  assert.equal(loadKubeConfig({ env: { HOME: dir } }).getCurrentContext(), 'home');
  assert.equal(loadKubeConfig({ kubeconfig: path.join(dir, 'flag'), env: { HOME: dir, KUBECONFIG: path.join(dir, '.kube', 'config') } }).getCurrentContext(), 'flag');
});

test('loadKubeConfig throws AppError with a hint when nothing is found or the context is unknown', async (t) => {
  const dir = await tempDir(t);
  assert.throws(() => loadKubeConfig({ env: { HOME: dir } }), (err: AppError) => err.code === 'kubeconfig' && err.hint === 'Pass --kubeconfig FILE or set KUBECONFIG');
  await writeFile(path.join(dir, 'c'), config('x', 'https://x:6443', 'x'));
  assert.throws(() => loadKubeConfig({ kubeconfig: path.join(dir, 'c'), context: 'nope', env: {} }), /Context "nope" does not exist/);
  assert.throws(() => loadKubeConfig({ kubeconfig: path.join(dir, 'absent'), env: {} }), /Cannot load kubeconfig/);
});
