/** watchRequest against a loopback HTTP server that plays the API server's watch answers. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { KubeApiError, KubeUnreachableError } from '../kube-api-error.js';
import { isGone, watchRequest, type WatchEvent } from './kube-watch.js';
import { loadKubeConfig } from './load-kubeconfig.js';

async function serve(t: TestContext, handler: http.RequestListener) {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kk-watch-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config');
  await writeFile(file, [
    'apiVersion: v1', 'kind: Config', 'current-context: c',
    `clusters: [{name: k, cluster: {server: "http://127.0.0.1:${(server.address() as AddressInfo).port}", insecure-skip-tls-verify: true}}]`,
    'users: [{name: u, user: {token: t}}]', 'contexts: [{name: c, context: {cluster: k, user: u}}]', '',
  ].join('\n'), { mode: 0o600 });
  return loadKubeConfig({ kubeconfig: file, env: {} });
}

type Obj = { metadata: { name: string; resourceVersion: string } };

test('watchRequest yields events split across chunks and ends when the server ends the watch', async (t) => {
  let url = '';
  const kc = await serve(t, (req, res) => {
    url = req.url ?? '';
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const text = `${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '11' } } })}\n${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { name: '', resourceVersion: '12' } } })}\n`;
    // Odd chunk boundaries: 1 byte, then the middle of the first line, then the rest.
    res.write(text.slice(0, 1));
    setTimeout(() => res.write(text.slice(1, 20)), 10);
    setTimeout(() => res.end(text.slice(20)), 20);
  });
  let opened = 0;
  const events: WatchEvent<Obj>[] = [];
  for await (const e of watchRequest<Obj>(kc, 'Cannot watch things', '/apis/g/v1/things?resourceVersion=10', { signal: new AbortController().signal, timeoutSeconds: 7, onOpen: () => opened++ })) events.push(e);
  assert.deepEqual(events.map((e) => [e.type, e.object.metadata.resourceVersion]), [['ADDED', '11'], ['BOOKMARK', '12']]);
  assert.equal(opened, 1);
  assert.equal(url, '/apis/g/v1/things?resourceVersion=10&watch=1&timeoutSeconds=7');
});

test('watchRequest throws a KubeApiError 410 (isGone) when the resourceVersion expired', async (t) => {
  const kc = await serve(t, (_req, res) => res.writeHead(410, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 10 (20)' })));
  await assert.rejects(async () => {
    for await (const _e of watchRequest(kc, 'Cannot watch things', '/apis/g/v1/things?resourceVersion=10', { signal: new AbortController().signal, timeoutSeconds: 5 })) assert.fail('no event');
  }, (err: unknown) => {
    assert.ok(err instanceof KubeApiError && isGone(err));
    assert.equal(err.message, 'Cannot watch things: too old resource version: 10 (20) (HTTP 410)');
    return true;
  });
});

test('watchRequest throws KubeUnreachableError when the connection breaks mid-watch, and ends quietly on its own signal', async (t) => {
  const kc = await serve(t, (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '1' } } })}\n`);
    if (req.url?.includes('cut')) setTimeout(() => req.socket.destroy(), 20);
  });
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const e of watchRequest<Obj>(kc, 'Cannot watch things', '/cut', { signal: new AbortController().signal, timeoutSeconds: 5 })) seen.push(e.object.metadata.name);
  }, KubeUnreachableError);
  assert.deepEqual(seen, ['a']);
  const stop = new AbortController();
  const quiet: string[] = [];
  for await (const e of watchRequest<Obj>(kc, 'Cannot watch things', '/hold', { signal: stop.signal, timeoutSeconds: 5 })) {
    quiet.push(e.object.metadata.name);
    stop.abort();
  }
  assert.deepEqual(quiet, ['a']);
});
