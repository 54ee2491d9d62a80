import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortedError, AppError } from '../errors.js';
import { EtcdError, toEtcdError } from './errors.js';

const grpcError = (code: number, details: string) => Object.assign(new Error(`${code} X: ${details}`), { code, details });

test('toEtcdError reports connection refused as etcd-unreachable with the short reason and a hint', () => {
  const err = toEtcdError(grpcError(14, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: '), 'connect', '127.0.0.1:1');
  assert.ok(err instanceof EtcdError);
  assert.equal(err.code, 'etcd-unreachable');
  assert.equal(err.message, 'Cannot connect: etcd at "127.0.0.1:1" is unreachable (connect ECONNREFUSED 127.0.0.1:1)');
  assert.match(err.hint ?? '', /--endpoints/);
});

test('toEtcdError tells a wrong CA from a missing client certificate', () => {
  const wrongCa = toEtcdError(grpcError(14, 'No connection established. Last error: Error: self-signed certificate in certificate chain'), 'connect', 'e');
  assert.equal(wrongCa.code, 'etcd-tls');
  assert.match(wrongCa.hint ?? '', /--cacert/);
  const noCert = toEtcdError(grpcError(14, 'No connection established. Last error: Error: 40D8A: SSL alert number 116 (certificate required)'), 'connect', 'e');
  assert.equal(noCert.code, 'etcd-tls');
  assert.match(noCert.hint ?? '', /--cert and --key/);
});

test('toEtcdError maps auth failures, permission denied, deadlines and cancellation', () => {
  assert.equal(toEtcdError(grpcError(3, 'etcdserver: authentication failed, invalid user ID or password'), 'authenticate', 'e').code, 'etcd-auth-failed');
  assert.equal(toEtcdError(grpcError(3, 'etcdserver: user name is empty'), 'stream the snapshot', 'e').code, 'etcd-auth-required');
  assert.equal(toEtcdError(grpcError(7, 'etcdserver: permission denied'), 'stream the snapshot', 'e').code, 'etcd-permission-denied');
  const timeout = toEtcdError(grpcError(4, 'Deadline exceeded after 2.001s'), 'connect', 'e', 2000);
  assert.equal(timeout.code, 'etcd-timeout');
  assert.match(timeout.message, /within 2000 ms/);
  assert.ok(toEtcdError(grpcError(1, 'Cancelled on client'), 'stream the snapshot', 'e') instanceof AbortedError);
});

test('toEtcdError passes AppErrors through and never loses an unknown error', () => {
  const app = new AppError('x', 'y');
  assert.equal(toEtcdError(app, 'a', 'e'), app);
  const other = toEtcdError(grpcError(13, 'etcdserver: something new'), 'list the members', 'e');
  assert.equal(other.code, 'etcd-rpc');
  assert.match(other.message, /something new/);
});

test('toEtcdError turns a cancelled call into a sentence naming the action', () => {
  const err = toEtcdError({ code: 1 }, 'stream the snapshot', '127.0.0.1:2379');
  assert.ok(err instanceof AbortedError);
  assert.equal(err.message, 'The attempt to stream the snapshot was interrupted');
});

test('toEtcdError tells an etcd that answered Unavailable from a lost connection', () => {
  const refused = toEtcdError(grpcError(14, 'etcdserver: unhealthy cluster'), 'add the member', '127.0.0.1:2379');
  assert.equal(refused.code, 'etcd-unavailable');
  assert.equal(refused.message, 'Cannot add the member: etcd at "127.0.0.1:2379" cannot serve the request now (etcdserver: unhealthy cluster)');
  assert.match(refused.hint ?? '', /endpoint status --cluster/);
  const lost = toEtcdError(grpcError(14, 'Connection dropped'), 'add the member', '127.0.0.1:2379');
  assert.equal(lost.code, 'etcd-connection-lost');
});
