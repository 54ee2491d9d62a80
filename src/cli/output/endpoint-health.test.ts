import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderEndpointHealth } from './endpoint-health.js';

// Shapes captured from etcdctl 3.4.23 with one live and one dead endpoint.
const results = [
  { endpoint: '127.0.0.1:23791', health: true, tookMs: 1.553062 },
  { endpoint: '127.0.0.1:1', health: false, tookMs: 5000.285917, error: 'context deadline exceeded' },
];

test('renderEndpointHealth simple prints healthy lines on stdout and unhealthy ones on stderr like etcdctl', () => {
  assert.deepEqual(renderEndpointHealth(results, 'simple'), {
    stdout: '127.0.0.1:23791 is healthy: successfully committed proposal: took = 1.553062ms\n',
    stderr: '127.0.0.1:1 is unhealthy: failed to commit proposal: context deadline exceeded\n',
  });
});

test('renderEndpointHealth table and json equal etcdctl 3.4', () => {
  assert.equal(renderEndpointHealth(results, 'table').stdout, [
    '+-----------------+--------+--------------+---------------------------+',
    '|    ENDPOINT     | HEALTH |     TOOK     |           ERROR           |',
    '+-----------------+--------+--------------+---------------------------+',
    '| 127.0.0.1:23791 |   true |   1.553062ms |                           |',
    '|     127.0.0.1:1 |  false | 5.000285917s | context deadline exceeded |',
    '+-----------------+--------+--------------+---------------------------+',
    '',
  ].join('\n'));
  assert.equal(renderEndpointHealth(results, 'json').stdout,
    '[{"endpoint":"127.0.0.1:23791","health":true,"took":"1.553062ms"},{"endpoint":"127.0.0.1:1","health":false,"took":"5.000285917s","error":"context deadline exceeded"}]\n');
});
