import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp.js';
import { generateTls } from '../../test/support/tls.js';
import { DASHBOARD_DATA_FORMAT } from './dashboard-data.js';
import { DashboardListenError, isLoopbackHost, parseDashboardListen, startDashboardServer } from './server.js';

const options = (listen: string) => ({
  listen, token: 'a-token-of-some-length', assets: { js: '', css: '' },
  data: async () => ({ format: DASHBOARD_DATA_FORMAT, generatedAt: new Date(0).toISOString(), source: 'daemon' as const, clusters: [] }),
});

test('dashboard server refuses an address off loopback without TLS, and one without a host', async () => {
  for (const listen of ['0.0.0.0:9478', '10.0.0.5:9478', '[::]:9478', 'node1.example:9478']) {
    await assert.rejects(startDashboardServer(options(listen)), (err) => err instanceof DashboardListenError && /not a loopback address, and no TLS certificate/.test(err.message));
  }
  assert.throws(() => parseDashboardListen(':9478'), DashboardListenError);
  assert.deepEqual(parseDashboardListen('[::1]:9478'), { host: '::1', port: 9478 });
  assert.deepEqual(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '128.0.0.1', '0.0.0.0'].map(isLoopbackHost), [true, true, true, true, false, false]);
});

test('dashboard server sends its CSP and no-store on every answer, also the 401 and 404', async () => {
  const server = await startDashboardServer(options('127.0.0.1:0'));
  try {
    for (const [p, auth, status] of [['', false, 401], ['nope', true, 404], ['api/data', true, 200]] as const) {
      const r = await fetch(server.url + p, auth ? { headers: { authorization: 'Bearer a-token-of-some-length' } } : {});
      assert.equal(r.status, status, p);
      assert.match(r.headers.get('content-security-policy') ?? '', /^default-src 'self'; script-src 'self'; style-src 'self';/);
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    }
  } finally {
    await server.close();
  }
});

test('dashboard server serves TLS when given a certificate, with Secure on the session cookie', async (t) => {
  const dir = await tempDir(t);
  const tls = generateTls(dir);
  const server = await startDashboardServer({ ...options('127.0.0.1:0'), tls: { certFile: tls.serverCert, keyFile: tls.serverKey } });
  try {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const ca = await readFile(tls.caCert);
    const get = (p: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) => new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const req = https.request(server.url + p, { ca, method: init.method ?? 'GET', headers: init.headers }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      });
      req.on('error', reject);
      req.end(init.body);
    });
    assert.equal((await get('')).status, 401);
    assert.equal((await get('api/data', { headers: { authorization: 'Bearer a-token-of-some-length' } })).status, 200);
    const login = await get('login', { method: 'POST', body: 'token=a-token-of-some-length', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(login.status, 303);
    assert.match(String(login.headers['set-cookie']), /; HttpOnly; SameSite=Strict; Secure$/);
    // Plain HTTP on the TLS port is not served.
    await assert.rejects(fetch(server.url.replace('https:', 'http:')));
  } finally {
    await server.close();
  }
});
