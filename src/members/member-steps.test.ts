import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors.js';
import { EtcdError } from '../etcd/index.js';
import { isSettling } from './member-steps.js';

const etcd = (code: string, message: string) => new EtcdError(code, message, { endpoint: 'https://127.0.0.1:2379' });

test('isSettling: connectivity and Unavailable codes are "not now", whatever their text', () => {
  for (const code of ['etcd-unreachable', 'etcd-timeout', 'etcd-connection-lost', 'etcd-unavailable']) {
    assert.equal(isSettling(etcd(code, 'Cannot add the member: something')), true, code);
  }
  assert.equal(isSettling(etcd('etcd-unavailable', 'Cannot add the member: etcd at "x" cannot serve the request now (etcdserver: unhealthy cluster)')), true);
});

test('isSettling: the two refusals etcd sends with other gRPC codes are told by their text', () => {
  assert.equal(isSettling(etcd('etcd-rpc', 'Cannot add the member: etcd at "x" returned an error: etcdserver: re-configuration failed due to not enough started members')), true);
  assert.equal(isSettling(etcd('etcd-rpc', 'Cannot add the member: etcd at "x" returned an error: etcdserver: too many requests')), true);
  assert.equal(isSettling(etcd('etcd-rpc', 'Cannot add the member: etcd at "x" returned an error: etcdserver: Peer URLs already exists')), false);
});

test('isSettling: TLS, auth and other failures are "no", even when their text looks like settling', () => {
  assert.equal(isSettling(etcd('etcd-tls', 'Cannot add the member: etcd at "x" is unreachable: TLS handshake failed')), false);
  assert.equal(isSettling(etcd('etcd-auth-failed', 'Cannot add the member: the connection to etcd at "x" failed')), false);
  assert.equal(isSettling(new AppError('member-flags', 'did not answer: not enough started members')), false);
  assert.equal(isSettling(new Error('etcd-unavailable')), false);
  assert.equal(isSettling('unhealthy cluster'), false);
});
