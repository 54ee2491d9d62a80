import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEvent } from './event.js';
import { compileFilter, jsonNeedle, parseResourceSelector } from './search-filter.js';
import { goJson } from './testing.js';

const event = (over: Partial<AuditEvent>): AuditEvent => ({
  level: 'Metadata', auditID: 'a', stage: 'ResponseComplete', requestURI: '/', verb: 'delete', user: { username: 'alice' },
  requestReceivedTimestamp: '', stageTimestamp: '', objectRef: { resource: 'pods', namespace: 'ns', name: 'web-0' }, ...over,
});

test('jsonNeedle quotes values no JSON encoder escapes', () => {
  assert.equal(jsonNeedle('pod-with-special-name')?.toString(), '"pod-with-special-name"');
  assert.equal(jsonNeedle('system:serviceaccount:kube-system:x')?.toString(), '"system:serviceaccount:kube-system:x"');
  assert.equal(jsonNeedle(''), undefined);
});

test('jsonNeedle falls back to the longest safe run when Go would escape part of the value', () => {
  const value = 'https://sso.example.com#carol&ops';
  const needle = jsonNeedle(value);
  assert.equal(needle?.toString(), 'https://sso.example.com#carol');
  assert.ok(goJson({ u: value }).includes(needle?.toString() ?? '\0'), 'present in Go-escaped JSON');
  assert.ok(JSON.stringify({ u: value }).includes(needle?.toString() ?? '\0'), 'present in plain JSON');
  assert.equal(jsonNeedle('é<>'), undefined);
});

test('parseResourceSelector splits a group and a subresource off', () => {
  assert.deepEqual(parseResourceSelector('deployments.apps/scale'), { pattern: 'deployments/scale', resource: 'deployments', group: 'apps' });
  assert.deepEqual(parseResourceSelector('pods'), { pattern: 'pods', resource: 'pods', group: undefined });
});

test('compileFilter anchors on the object name before the verb', () => {
  const f = compileFilter({ verbs: ['delete'], names: ['web-0'] });
  assert.equal(f.anchor?.toString(), '"web-0"');
  assert.deepEqual(f.needleGroups.map((g) => g.map(String)), [['"delete"']]);
});

test('compileFilter uses no anchor when every field has several values', () => {
  const f = compileFilter({ verbs: ['delete', 'deletecollection'] });
  assert.equal(f.anchor, undefined);
  assert.equal(f.needleGroups.length, 1);
});

test('compileFilter matches exactly on verb, name, namespace, stage and time bounds', () => {
  const f = compileFilter({ verbs: ['delete'], names: ['web-0'], namespaces: ['ns'], stages: ['ResponseComplete'], sinceMicros: 10, untilMicros: 20 });
  assert.equal(f.matches(event({}), 15), true);
  assert.equal(f.matches(event({}), 9), false);
  assert.equal(f.matches(event({}), 21), false);
  assert.equal(f.matches(event({ verb: 'deletecollection' }), 15), false);
  assert.equal(f.matches(event({ stage: 'RequestReceived' }), 15), false);
  assert.equal(f.matches(event({ objectRef: { resource: 'pods', namespace: 'other', name: 'web-0' } }), 15), false);
});

test('compileFilter matches the impersonated user as well as the real one', () => {
  const f = compileFilter({ users: ['bot'] });
  assert.equal(f.matches(event({ impersonatedUser: { username: 'bot' } }), 0), true);
  assert.equal(f.matches(event({ user: { username: 'bot' } }), 0), true);
  assert.equal(f.matches(event({}), 0), false);
});

test('compileFilter treats resources like policy rules: "pods" is not "pods/log", groups must agree when given', () => {
  const logs = event({ objectRef: { resource: 'pods', subresource: 'log', name: 'web-0' } });
  assert.equal(compileFilter({ resources: ['pods'] }).matches(logs, 0), false);
  assert.equal(compileFilter({ resources: ['pods/log'] }).matches(logs, 0), true);
  assert.equal(compileFilter({ resources: ['pods/*'] }).matches(logs, 0), true);
  const deploy = event({ objectRef: { resource: 'deployments', apiGroup: 'apps', name: 'x' } });
  assert.equal(compileFilter({ resources: ['deployments.apps'] }).matches(deploy, 0), true);
  assert.equal(compileFilter({ resources: ['deployments.extensions'] }).matches(deploy, 0), false);
  assert.equal(compileFilter({ resources: ['*/scale'] }).anchor?.toString(), '"scale"');
});
