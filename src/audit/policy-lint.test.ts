import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintPolicy, type LintFinding } from './policy-lint.js';
import { AUDIT_PROFILES, renderPolicyYaml } from './policy-profiles.js';

function lint(text: string): LintFinding[] {
  return lintPolicy(text).findings;
}

function only(findings: LintFinding[], code: string): LintFinding[] {
  return findings.filter((f) => f.code === code);
}

const HEAD = 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n';

for (const profile of AUDIT_PROFILES) {
  test(`lintPolicy finds nothing when given the ${profile} profile`, () => {
    assert.deepEqual(lint(renderPolicyYaml(profile)), []);
  });
}

test('lintPolicy reports a rule shadowed by an earlier broader rule with both line numbers', () => {
  const text = `${HEAD}  - level: Metadata\n    resources:\n      - group: ""\n  - level: RequestResponse\n    resources:\n      - group: ""\n        resources: ["pods"]\n  - level: Metadata\n`;
  const [finding, ...rest] = only(lint(text), 'rule-shadowed');
  assert.equal(rest.length, 0);
  assert.equal(finding?.line, 7);
  assert.match(finding?.message ?? '', /rule 2 can never apply: rule 1 \(line 4, level Metadata\)/);
});

test('lintPolicy reports every rule after a catch-all that is not last', () => {
  const text = `${HEAD}  - level: Metadata\n  - level: None\n    users: [bob]\n  - level: Request\n    verbs: [get]\n`;
  const found = only(lint(text), 'rule-shadowed');
  assert.deepEqual(found.map((f) => f.line), [5, 7]);
  assert.match(found[0]?.message ?? '', /is a catch-all/);
});

test('lintPolicy does not report a narrower rule placed before a broader one', () => {
  const text = `${HEAD}  - level: None\n    users: [system:kube-proxy]\n    verbs: [watch]\n  - level: Metadata\n    verbs: [watch, get]\n  - level: Metadata\n`;
  assert.deepEqual(only(lint(text), 'rule-shadowed'), []);
});

test('lintPolicy reports Secrets logged with bodies by a rule before the Secrets rule', () => {
  const text = `${HEAD}  - level: RequestResponse\n    verbs: [create, update]\n  - level: Metadata\n    resources: [{group: "", resources: [secrets]}]\n  - level: Metadata\n`;
  const found = only(lint(text), 'credentials-with-bodies');
  assert.equal(found.length, 3, 'secrets, serviceaccounts/token and tokenreviews');
  assert.deepEqual(found.map((f) => f.line), [4, 4, 4]);
  assert.match(found.map((f) => f.message).join('\n'), /rule 1 logs secrets at level RequestResponse/);
  assert.match(found.map((f) => f.message).join('\n'), /serviceaccounts\/token/);
});

test('lintPolicy accepts the upstream example policy, where TokenRequests are logged at Request', () => {
  const text = `apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: ["RequestReceived"]\nrules:\n  - level: RequestResponse\n    resources: [{group: "", resources: ["pods"]}]\n  - level: Metadata\n    resources: [{group: "", resources: ["pods/log", "pods/status"]}]\n  - level: None\n    users: ["system:kube-proxy"]\n    verbs: ["watch"]\n    resources: [{group: "", resources: ["endpoints", "services"]}]\n  - level: None\n    userGroups: ["system:authenticated"]\n    nonResourceURLs: ["/api*", "/version"]\n  - level: Metadata\n    resources: [{group: "", resources: ["secrets", "configmaps"]}]\n  - level: Request\n    resources: [{group: ""}, {group: "extensions"}]\n  - level: Metadata\n`;
  assert.deepEqual(lint(text), []);
});

test('lintPolicy reports a catch-all at Request that logs TokenReview bodies', () => {
  const text = `${HEAD}  - level: Metadata\n    resources: [{group: "", resources: [secrets, serviceaccounts/token]}]\n  - level: Request\n`;
  const found = only(lint(text), 'credentials-with-bodies');
  assert.deepEqual(found.map((f) => f.line), [6]);
  assert.match(found[0]?.message ?? '', /tokenreviews/);
});

test('lintPolicy reports "pods" believed to cover pods/log when no rule names a pod subresource', () => {
  const text = `${HEAD}  - level: RequestResponse\n    resources:\n      - group: ""\n        resources: ["pods", "services/proxy"]\n  - level: Metadata\n`;
  const found = only(lint(text), 'bare-resource');
  assert.equal(found.length, 1);
  assert.equal(found[0]?.line, 7);
  assert.match(found[0]?.message ?? '', /"pods\/log"/);
});

test('lintPolicy accepts "pods" when another rule names pods/log', () => {
  const text = `${HEAD}  - level: Metadata\n    resources: [{group: "", resources: [pods/log]}]\n  - level: RequestResponse\n    resources: [{group: "", resources: [pods]}]\n  - level: Metadata\n`;
  assert.deepEqual(only(lint(text), 'bare-resource'), []);
});

test('lintPolicy reports a missing catch-all at the last rule', () => {
  const found = only(lint(`${HEAD}  - level: Metadata\n    verbs: [delete]\n`), 'no-catch-all');
  assert.equal(found.length, 1);
  assert.equal(found[0]?.line, 4);
  assert.equal(found[0]?.severity, 'warning');
});

test('lintPolicy reports unknown fields where they are, with a spelling hint', () => {
  const text = `apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStage: [RequestReceived]\nrules:\n  - level: Metadata\n    resource:\n      - group: ""\n  - level: None\n    resources:\n      - group: ""\n        resourcename: [x]\n        resources: [pods]\n  - level: Metadata\n`;
  const found = only(lint(text), 'unknown-field');
  assert.deepEqual(found.map((f) => f.line), [3, 6, 11]);
  assert.match(found[1]?.message ?? '', /"resource" in a rule \(did you mean "resources"\?\)/);
});

test('lintPolicy reports unknown and missing levels with line numbers', () => {
  const text = `${HEAD}  - level: metadata\n  - verbs: [get]\n  - level: Verbose\n`;
  const found = lint(text).filter((f) => f.code.startsWith('level-'));
  assert.deepEqual(found.map((f) => [f.code, f.line]), [['level-unknown', 4], ['level-missing', 5], ['level-unknown', 6]]);
});

test('lintPolicy reports the old apiVersion, a wrong kind and YAML syntax errors', () => {
  assert.deepEqual(only(lint('apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n  - level: Metadata\n'), 'wrong-api-version').map((f) => f.line), [1]);
  assert.deepEqual(only(lint('apiVersion: audit.k8s.io/v1\nkind: Pod\nrules:\n  - level: Metadata\n'), 'wrong-kind').map((f) => f.line), [2]);
  const syntax = only(lint(`${HEAD}  - level: [Metadata\n`), 'yaml-syntax');
  assert.ok(syntax.length > 0);
  assert.ok((syntax[0]?.line ?? 0) >= 4);
});

test('lintPolicy numbers rules as in the file when a rule is not a mapping', () => {
  const text = `${HEAD}  - Metadata\n  - level: Metadata\n  - level: None\n`;
  const findings = lint(text);
  assert.deepEqual(only(findings, 'wrong-type').map((f) => f.line), [4]);
  const shadow = only(findings, 'rule-shadowed');
  assert.equal(shadow[0]?.line, 6);
  assert.match(shadow[0]?.message ?? '', /^rule 3 can never apply: rule 2 \(line 5/);
});

test('lintPolicy reads JSON policies too', () => {
  const text = JSON.stringify({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata' }] });
  assert.deepEqual(lint(text), []);
});
