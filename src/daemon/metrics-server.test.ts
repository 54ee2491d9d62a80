import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseListen, startMetricsServer } from './metrics-server.js';

test('parseListen splits host and port and refuses anything else when given a listen address', () => {
  assert.deepEqual(parseListen('127.0.0.1:9477'), { host: '127.0.0.1', port: 9477 });
  assert.deepEqual(parseListen(':9477'), { host: undefined, port: 9477 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.throws(() => parseListen('9477'), /Cannot serve metrics on "9477": not host:port/);
  assert.throws(() => parseListen('a:70000'), /not host:port/);
});

test('metrics server answers /metrics, /healthz 503 when unhealthy, 404 and 405 otherwise', async () => {
  let healthy = true;
  const server = await startMetricsServer({
    listen: '127.0.0.1:0', metrics: async () => 'kk_up 1\n', health: () => ({ healthy, reason: healthy ? 'fine' : 'stale' }),
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(await metrics.text(), 'kk_up 1\n');
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    healthy = false;
    const sick = await fetch(`${base}/healthz`);
    assert.deepEqual([sick.status, await sick.json()], [503, { healthy: false, reason: 'stale' }]);
    assert.equal((await fetch(`${base}/other`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  } finally {
    await server.close();
  }
});

test('startMetricsServer names the address when the port is taken', async () => {
  const first = await startMetricsServer({ listen: '127.0.0.1:0', metrics: async () => '', health: () => ({ healthy: true, reason: '' }) });
  try {
    await assert.rejects(
      startMetricsServer({ listen: `127.0.0.1:${first.port}`, metrics: async () => '', health: () => ({ healthy: true, reason: '' }) }),
      new RegExp(`Cannot serve metrics on "127\\.0\\.0\\.1:${first.port}": EADDRINUSE`),
    );
  } finally {
    await first.close();
  }
});
