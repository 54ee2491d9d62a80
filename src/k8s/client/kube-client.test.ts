/** KubeClient against a loopback HTTPS server that accepts requests and never answers: every request is time-bounded. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { KubeUnreachableError } from '../kube-api-error.js';
import { KubeClient } from './kube-client.js';
import { loadKubeConfig } from './load-kubeconfig.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateTls } from '../../../test/support/tls.js';

test('KubeClient gives up on a request the server never answers after its request timeout', { timeout: 20_000 }, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kk-kc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const tls = generateTls(dir);
  const held: http.ServerResponse[] = [];
  const server = https.createServer({ cert: readFileSync(tls.serverCert), key: readFileSync(tls.serverKey) }, (_req, res) => held.push(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const res of held) res.destroy();
    server.close();
  });
  const file = path.join(dir, 'config');
  const { port } = server.address() as AddressInfo;
  await writeFile(file, [
    'apiVersion: v1', 'kind: Config', 'current-context: c',
    `clusters: [{name: k, cluster: {server: "https://127.0.0.1:${port}", certificate-authority: "${tls.caCert}"}}]`,
    'users: [{name: u, user: {token: t}}]',
    'contexts: [{name: c, context: {cluster: k, user: u}}]', '',
  ].join('\n'), { mode: 0o600 });
  const client = new KubeClient(loadKubeConfig({ kubeconfig: file, env: {} }), { requestTimeoutMs: 300 });
  await assert.rejects(client.listNodes(), (err: unknown) => {
    assert.ok(err instanceof KubeUnreachableError);
    assert.match(err.message, /^Cannot list nodes: cannot reach the Kubernetes API server \(no answer within 0\.3 s\)$/);
    return true;
  });
  await assert.rejects(client.getHealthEndpoint('readyz'), /Cannot check \/readyz: cannot reach the Kubernetes API server \(no answer within 0\.3 s\)/);
  assert.equal(held.length, 2, 'both requests reached the server');
});
