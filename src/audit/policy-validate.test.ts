import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PolicyRule } from './policy.js';
import { validatePolicy } from './policy-validate.js';

function codes(rules: PolicyRule[], omitStages?: string[]): string[] {
  return validatePolicy({ rules, omitStages: omitStages as never }).map((p) => p.code);
}

test('validatePolicy accepts a policy the API server loads', () => {
  assert.deepEqual(codes([{ level: 'None', nonResourceURLs: ['/healthz*', '*'] }, { level: 'Metadata', resources: [{ group: 'apps', resources: ['deployments'], resourceNames: ['x'] }] }]), []);
});

test('validatePolicy reports a missing level and an unknown level with the right spelling', () => {
  assert.deepEqual(codes([{} as PolicyRule]), ['level-missing']);
  const problems = validatePolicy({ rules: [{ level: 'metadata' as never }] });
  assert.equal(problems[0]?.code, 'level-unknown');
  assert.match(problems[0]?.message ?? '', /"Metadata"/);
  assert.deepEqual(problems[0]?.path, ['rules', 0, 'level']);
});

test('validatePolicy refuses nonResourceURLs combined with resources or namespaces', () => {
  assert.deepEqual(codes([{ level: 'None', nonResourceURLs: ['/x'], resources: [{ group: '' }] }]), ['url-with-resources']);
  assert.deepEqual(codes([{ level: 'None', nonResourceURLs: ['/x'], namespaces: ['a'] }]), ['url-with-resources']);
});

test('validatePolicy refuses resourceNames without resources', () => {
  assert.deepEqual(codes([{ level: 'None', resources: [{ group: '', resourceNames: ['a'] }] }]), ['names-without-resources']);
});

test('validatePolicy refuses a star before the end of a URL and a URL without a slash', () => {
  assert.deepEqual(codes([{ level: 'None', nonResourceURLs: ['/a*/b'] }]), ['url-inner-wildcard']);
  assert.deepEqual(codes([{ level: 'None', nonResourceURLs: ['healthz'] }]), ['url-no-slash']);
});

test('validatePolicy refuses a group with a version', () => {
  const problems = validatePolicy({ rules: [{ level: 'None', resources: [{ group: 'apps/v1' }] }] });
  assert.equal(problems[0]?.code, 'group-invalid');
  assert.match(problems[0]?.message ?? '', /"apps"/);
});

test('validatePolicy refuses unknown stages in the policy and in rules', () => {
  assert.deepEqual(codes([{ level: 'None', omitStages: ['ResponseDone' as never] }], ['Received']), ['stage-unknown', 'stage-unknown']);
});

test('validatePolicy refuses a policy with zero rules', () => {
  assert.deepEqual(codes([]), ['no-rules']);
});
