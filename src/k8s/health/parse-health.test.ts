import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHealthReply } from './parse-health.js';

test('parseHealthReply is healthy when /readyz answers 200 ok', () => {
  const r = parseHealthReply('readyz', 200, 'ok');
  assert.equal(r.healthy, true);
  assert.deepEqual(r.checks, []);
});

test('parseHealthReply names each failed check when /readyz answers 500', () => {
  const body = '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]informer-sync ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n';
  const r = parseHealthReply('readyz', 500, body);
  assert.equal(r.healthy, false);
  assert.deepEqual(r.failed, ['etcd', 'shutdown']);
  assert.equal(r.checks.length, 5);
  assert.equal(r.message, '');
});

test('parseHealthReply keeps exclusions and the warning for unknown excluded checks', () => {
  const body = '[+]ping excluded: ok\n[+]etcd ok\nwarn: some health checks cannot be excluded: no matches for "nope"\nlivez check passed\n';
  const r = parseHealthReply('livez', 200, body);
  assert.equal(r.checks[0]?.excluded, true);
  assert.deepEqual(r.warnings, ['some health checks cannot be excluded: no matches for "nope"']);
});

test('parseHealthReply keeps the body of an individual check failure', () => {
  const r = parseHealthReply('readyz', 500, 'internal server error: etcd client connection not yet established\n');
  assert.equal(r.healthy, false);
  assert.equal(r.message, 'internal server error: etcd client connection not yet established');
});
