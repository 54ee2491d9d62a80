import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditPolicy, AuditRequest, PolicyRule } from './policy.js';
import { evaluatePolicy, pathMatches, ruleMatches } from './policy-match.js';

const alice = { username: 'alice', groups: ['dev', 'system:authenticated'] };

function podRequest(subresource?: string, extra: Partial<NonNullable<AuditRequest['resource']>> = {}): AuditRequest {
  return { user: alice, verb: 'get', resource: { apiGroup: '', resource: 'pods', namespace: 'default', name: 'web-0', ...(subresource && { subresource }), ...extra } };
}

function policy(rules: PolicyRule[], omitStages?: AuditPolicy['omitStages']): AuditPolicy {
  return { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules, ...(omitStages && { omitStages }) };
}

test('evaluatePolicy picks the first matching rule when several match', () => {
  const p = policy([{ level: 'Request', verbs: ['get'] }, { level: 'Metadata' }]);
  assert.deepEqual(evaluatePolicy(p, podRequest()), { level: 'Request', omitStages: [], ruleIndex: 0 });
});

test('evaluatePolicy returns None with the policy stages when no rule matches', () => {
  const p = policy([{ level: 'Metadata', users: ['bob'] }], ['RequestReceived']);
  assert.deepEqual(evaluatePolicy(p, podRequest()), { level: 'None', omitStages: ['RequestReceived'], ruleIndex: -1 });
});

test('evaluatePolicy unions policy and rule omitStages when both are set', () => {
  const p = policy([{ level: 'Metadata', omitStages: ['Panic', 'RequestReceived'] }], ['ResponseStarted', 'RequestReceived']);
  assert.deepEqual(evaluatePolicy(p, podRequest()).omitStages, ['RequestReceived', 'ResponseStarted', 'Panic']);
});

test('ruleMatches does not match pods/log with "pods" but does with "pods/*", "*" and "*/log"', () => {
  const rule = (resources: string[]): PolicyRule => ({ level: 'Metadata', resources: [{ group: '', resources }] });
  assert.equal(ruleMatches(rule(['pods']), podRequest('log')), false);
  assert.equal(ruleMatches(rule(['pods']), podRequest()), true);
  assert.equal(ruleMatches(rule(['pods/log']), podRequest('log')), true);
  assert.equal(ruleMatches(rule(['pods/*']), podRequest('log')), true);
  assert.equal(ruleMatches(rule(['pods/*']), podRequest()), true);
  assert.equal(ruleMatches(rule(['*']), podRequest('log')), true);
  assert.equal(ruleMatches(rule(['*/log']), podRequest('log')), true);
  assert.equal(ruleMatches(rule(['*/log']), podRequest()), false);
  assert.equal(ruleMatches(rule(['*/scale']), podRequest('log')), false);
});

test('ruleMatches checks the group exactly when resources name another group', () => {
  const rule: PolicyRule = { level: 'Metadata', resources: [{ group: 'apps', resources: ['pods'] }] };
  assert.equal(ruleMatches(rule, podRequest()), false);
  assert.equal(ruleMatches({ level: 'Metadata', resources: [{ group: '' }] }, podRequest('exec')), true);
});

test('ruleMatches applies resourceNames when they are given', () => {
  const rule: PolicyRule = { level: 'None', resources: [{ group: '', resources: ['pods'], resourceNames: ['web-0'] }] };
  assert.equal(ruleMatches(rule, podRequest()), true);
  assert.equal(ruleMatches(rule, podRequest(undefined, { name: 'web-1' })), false);
});

test('ruleMatches selects cluster-scoped resources with namespace ""', () => {
  const rule: PolicyRule = { level: 'Metadata', namespaces: [''] };
  const node: AuditRequest = { user: alice, verb: 'get', resource: { apiGroup: '', resource: 'nodes', name: 'n1' } };
  assert.equal(ruleMatches(rule, node), true);
  assert.equal(ruleMatches(rule, podRequest()), false);
});

test('ruleMatches matches userGroups when the user is in any listed group', () => {
  assert.equal(ruleMatches({ level: 'None', userGroups: ['ops', 'dev'] }, podRequest()), true);
  assert.equal(ruleMatches({ level: 'None', userGroups: ['ops'] }, podRequest()), false);
  assert.equal(ruleMatches({ level: 'None', users: ['alice'] }, podRequest()), true);
  assert.equal(ruleMatches({ level: 'None', users: ['bob'] }, podRequest()), false);
});

test('ruleMatches keeps resource rules off non-resource requests and the reverse', () => {
  const healthz: AuditRequest = { user: alice, verb: 'get', path: '/healthz/etcd' };
  assert.equal(ruleMatches({ level: 'None', resources: [{ group: '' }] }, healthz), false);
  assert.equal(ruleMatches({ level: 'None', nonResourceURLs: ['/healthz*'] }, healthz), true);
  assert.equal(ruleMatches({ level: 'None', nonResourceURLs: ['*'] }, podRequest()), false);
  assert.equal(ruleMatches({ level: 'None' }, healthz), true);
});

test('pathMatches treats a trailing star as a prefix and anything else as exact', () => {
  assert.equal(pathMatches('/apis/apps', '/api*'), true);
  assert.equal(pathMatches('/version', '/version'), true);
  assert.equal(pathMatches('/version/', '/version'), false);
  assert.equal(pathMatches('/anything', '*'), true);
  assert.equal(pathMatches('/metrics', '/healthz*'), false);
});
