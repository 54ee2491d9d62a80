/**
 * The audit policy linter: everything that would stop the API server from loading a policy,
 * plus the mistakes that load fine and then lose or leak data: rules that can never match
 * because an earlier rule wins, Secrets and tokens logged with bodies, `pods` believed to cover
 * `pods/log`, and no catch-all at the end. Pure: text in, findings out.
 */
import { AUDIT_LEVELS, isCatchAll, type AuditLevel, type AuditPolicy, type PolicyRule } from './policy.js';
import { ruleCanMatchResource, ruleCovers, ruleMatchesAllOfResource, type ResourceProbe } from './policy-cover.js';
import { parsePolicyDocument, type SourcePosition } from './policy-document.js';
import { validatePolicy, type PolicyPath } from './policy-validate.js';

export type LintSeverity = 'error' | 'warning';

export interface LintFinding extends SourcePosition {
  severity: LintSeverity;
  code: string;
  message: string;
  path: PolicyPath;
}

export interface LintResult {
  findings: LintFinding[];
  /** The parsed policy, when the text could be read as one. */
  policy: AuditPolicy | undefined;
}

/**
 * Resources whose bodies carry credentials, and the level from which they leak: Secret data
 * and a TokenReview's token are in the request, a TokenRequest's token only in the response.
 */
export const CREDENTIAL_RESOURCES: readonly (ResourceProbe & { label: string; leaksAt: AuditLevel })[] = [
  { label: 'secrets', group: '', resource: 'secrets', namespaced: true, leaksAt: 'Request' },
  { label: 'serviceaccounts/token', group: '', resource: 'serviceaccounts', subresource: 'token', namespaced: true, leaksAt: 'RequestResponse' },
  { label: 'tokenreviews', group: 'authentication.k8s.io', resource: 'tokenreviews', namespaced: false, leaksAt: 'Request' },
];

/** Subresources that a bare resource name does not match; the commonly audited ones. */
const KNOWN_SUBRESOURCES: Readonly<Record<string, readonly string[]>> = {
  pods: ['log', 'exec', 'attach', 'portforward', 'proxy', 'status', 'eviction', 'binding', 'ephemeralcontainers'],
  services: ['proxy', 'status'],
  nodes: ['proxy', 'status'],
  serviceaccounts: ['token'],
  deployments: ['scale', 'status'],
  statefulsets: ['scale', 'status'],
  replicasets: ['scale', 'status'],
};

type Emit = (severity: LintSeverity, code: string, path: PolicyPath, message: string) => void;

/** Checks see rules by position in the parsed list; users see them numbered as in the file. */
interface Context {
  emit: Emit;
  ruleName(index: number): string;
  lineOf(index: number): number;
}

function checkShadowed(rules: readonly PolicyRule[], { emit, ruleName, lineOf }: Context): void {
  rules.forEach((rule, j) => {
    const i = rules.slice(0, j).findIndex((earlier) => ruleCovers(earlier, rule));
    if (i < 0) return;
    const earlier = rules[i] as PolicyRule;
    const what = isCatchAll(earlier) ? 'is a catch-all' : 'matches every request it would match';
    emit('error', 'rule-shadowed', ['rules', j],
      `${ruleName(j)} can never apply: ${ruleName(i)} (line ${lineOf(i)}, level ${earlier.level}) comes first and ${what}; the first matching rule wins, so move ${ruleName(j)} above it or remove it`);
  });
}

function checkCredentials(rules: readonly PolicyRule[], { emit, ruleName }: Context): void {
  for (const probe of CREDENTIAL_RESOURCES) {
    for (const [i, rule] of rules.entries()) {
      const leaks = AUDIT_LEVELS.indexOf(rule.level) >= AUDIT_LEVELS.indexOf(probe.leaksAt);
      if (ruleCanMatchResource(rule, probe) && leaks) {
        emit('error', 'credentials-with-bodies', ['rules', i, 'level'],
          `${ruleName(i)} logs ${probe.label} at level ${rule.level}, which writes their bodies (credentials) to the audit log; add a rule with level Metadata for ${probe.label} before it`);
      }
      if (ruleMatchesAllOfResource(rule, probe)) break;
    }
  }
}

function mentionsSubresource(rules: readonly PolicyRule[], resource: string, subs: readonly string[]): boolean {
  return rules.some((rule) =>
    rule.resources?.some((gr) => gr.resources?.some((p) => p.startsWith(`${resource}/`) || p === '*' || subs.some((s) => p === `*/${s}`))),
  );
}

function checkBareResources(rules: readonly PolicyRule[], { emit, ruleName }: Context): void {
  const reported = new Set<string>();
  rules.forEach((rule, i) => {
    // A None rule that misses subresources only logs more than meant; the harmful case is a
    // logging rule believed to cover pods/exec or pods/log that then fall to a weaker rule.
    if (rule.level === 'None') return;
    rule.resources?.forEach((gr, g) => {
      const group = gr.group ?? '';
      if (group !== '' && group !== 'apps') return;
      gr.resources?.forEach((res, r) => {
        const subs = KNOWN_SUBRESOURCES[res];
        if (!subs || reported.has(res) || mentionsSubresource(rules, res, subs)) return;
        reported.add(res);
        const examples = subs.slice(0, 3).map((s) => `"${res}/${s}"`).join(', ');
        emit('warning', 'bare-resource', ['rules', i, 'resources', g, 'resources', r],
          `${ruleName(i)} lists "${res}", which does not match its subresources (${examples}, ...), and no rule names them; add "${res}/*" or list the subresources if this rule should cover them`);
      });
    });
  });
}

function checkCatchAll(rules: readonly PolicyRule[], { emit }: Context): void {
  const last = rules[rules.length - 1];
  if (!last || isCatchAll(last)) return;
  emit('warning', 'no-catch-all', ['rules', rules.length - 1],
    `the policy does not end with a catch-all rule: requests no rule matches are not logged at all; end with "- level: Metadata" (or "- level: None" to make that explicit)`);
}

/** Lints policy text; findings are sorted by line. */
export function lintPolicy(text: string): LintResult {
  const doc = parsePolicyDocument(text);
  const findings: LintFinding[] = doc.problems.map((p) => ({ severity: 'error', code: p.code, message: p.message, path: p.path, ...p.position }));
  const sourceIndex = (i: number) => doc.ruleSourceIndexes[i] ?? i;
  // Paths from the checks count parsed rules; the document may hold rules that were dropped.
  const toSource = (path: PolicyPath): PolicyPath =>
    path[0] === 'rules' && typeof path[1] === 'number' ? ['rules', sourceIndex(path[1]), ...path.slice(2)] : path;
  const emit: Emit = (severity, code, path, message) => {
    const at = toSource(path);
    findings.push({ severity, code, message, path: at, ...doc.locate(at) });
  };
  const ctx: Context = { emit, ruleName: (i) => `rule ${sourceIndex(i) + 1}`, lineOf: (i) => doc.locate(['rules', sourceIndex(i)]).line };
  const policy = doc.policy;
  if (policy) {
    for (const p of validatePolicy(policy)) emit('error', p.code, p.path, p.message);
    checkShadowed(policy.rules, ctx);
    checkCredentials(policy.rules, ctx);
    checkBareResources(policy.rules, ctx);
    checkCatchAll(policy.rules, ctx);
  }
  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return { findings, policy };
}
