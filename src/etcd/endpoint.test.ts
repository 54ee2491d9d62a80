import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../errors.js';
import type { EtcdConnectOptions } from './connect-options.js';
import { parseEndpoint } from './endpoint.js';

const plain: EtcdConnectOptions = { endpoints: [], dialTimeoutMs: 1000, commandTimeoutMs: 1000 };
const withCa: EtcdConnectOptions = { ...plain, caFile: '/ca.crt' };

test('parseEndpoint reads host:port as plain text when no TLS option is set', () => {
  assert.deepEqual(parseEndpoint('127.0.0.1:2379', plain), { endpoint: '127.0.0.1:2379', host: '127.0.0.1', port: 2379, target: '127.0.0.1:2379', tls: false });
});

test('parseEndpoint uses TLS for a bare host:port when --cacert is given', () => {
  assert.equal(parseEndpoint('etcd-0:2379', withCa).tls, true);
});

test('parseEndpoint lets the scheme decide when the endpoint has one', () => {
  assert.equal(parseEndpoint('https://10.0.0.1:2379', plain).tls, true);
  assert.equal(parseEndpoint('http://10.0.0.1:2379', withCa).tls, false);
});

test('parseEndpoint defaults the port to 2379 and keeps IPv6 brackets in the target', () => {
  assert.equal(parseEndpoint('https://localhost', plain).port, 2379);
  const v6 = parseEndpoint('[::1]:12379', plain);
  assert.equal(v6.host, '::1');
  assert.equal(v6.target, '[::1]:12379');
});

test('parseEndpoint rejects unix sockets, paths and bad ports with a usage error', () => {
  for (const bad of ['unix:///run/etcd.sock', 'http://h:2379/v3', 'h:99999', '', 'a b:1']) {
    assert.throws(() => parseEndpoint(bad, plain), UsageError, bad);
  }
});
