/**
 * Reads an audit policy from YAML (or JSON) text, keeping source positions so that every
 * problem can be reported with a line number. Structural problems the API server would
 * silently ignore (unknown keys, a string where a list belongs) are reported here; the rules'
 * meaning is checked by validatePolicy and lintPolicy. Pure.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { GROUP_RESOURCES_KEYS, POLICY_KEYS, RULE_KEYS, type AuditPolicy, type PolicyRule } from './policy.js';
import type { PolicyPath, PolicyProblem } from './policy-validate.js';

export interface SourcePosition {
  line: number;
  column: number;
}

/** A problem with its place in the source. */
export interface LocatedProblem extends PolicyProblem {
  position: SourcePosition;
}

export interface PolicyDocument {
  /** The policy as the API server would read it; undefined when the text is not a policy at all. */
  policy: AuditPolicy | undefined;
  /** Syntax and shape problems, found while reading. */
  problems: LocatedProblem[];
  /** For each rule in `policy.rules`, its index in the document (rules that are not mappings are dropped). */
  ruleSourceIndexes: number[];
  /** Position of the node at `path`, or of its nearest existing parent. */
  locate(path: PolicyPath): SourcePosition;
}

const STRING_LISTS = ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs', 'omitStages'] as const;

interface Reader {
  doc: Document;
  lines: LineCounter;
  problems: LocatedProblem[];
  ruleSourceIndexes: number[];
}

function positionOf(reader: Reader, node: Node | null | undefined): SourcePosition {
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = reader.lines.linePos(offset);
  return { line: Math.max(line, 1), column: Math.max(col, 1) };
}

function report(reader: Reader, node: Node | null | undefined, path: PolicyPath, code: string, message: string): void {
  reader.problems.push({ path, code, message, position: positionOf(reader, node) });
}

/** Edit distance, to suggest the field a typo was meant to be. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/** Reports keys of `node` that are not in `known`: typos the API server silently drops. */
function checkKeys(reader: Reader, node: Node, known: ReadonlySet<string>, path: PolicyPath, what: string): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (known.has(key)) continue;
    const near = [...known].find((k) => distance(k.toLowerCase(), key.toLowerCase()) <= 2);
    report(reader, pair.key as Node, [...path, key], 'unknown-field', `unknown field "${key}" in ${what}${near ? ` (did you mean "${near}"?)` : ''}; the API server ignores it`);
  }
}

/** A list of strings, or undefined (and a problem) for anything else: Go would refuse to decode it. */
function stringList(reader: Reader, value: unknown, node: Node, path: PolicyPath): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  report(reader, node, path, 'wrong-type', `"${path[path.length - 1]}" must be a list of strings`);
  return undefined;
}

function readRule(reader: Reader, raw: unknown, path: PolicyPath): PolicyRule | undefined {
  const node = reader.doc.getIn(path, true) as Node;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    report(reader, node, path, 'wrong-type', 'each rule must be a mapping with at least "level"');
    return undefined;
  }
  checkKeys(reader, node, RULE_KEYS, path, 'a rule');
  const src = raw as Record<string, unknown>;
  const rule: Record<string, unknown> = { level: typeof src.level === 'string' ? src.level : undefined };
  if (src.level !== undefined && typeof src.level !== 'string') report(reader, node, [...path, 'level'], 'wrong-type', '"level" must be a string');
  for (const key of STRING_LISTS) {
    const list = stringList(reader, src[key], (reader.doc.getIn([...path, key], true) as Node) ?? node, [...path, key]);
    if (list) rule[key] = list;
  }
  if (typeof src.omitManagedFields === 'boolean') rule.omitManagedFields = src.omitManagedFields;
  if (src.resources !== undefined && src.resources !== null) rule.resources = readResources(reader, src.resources, [...path, 'resources']);
  return rule as unknown as PolicyRule;
}

function readResources(reader: Reader, raw: unknown, path: PolicyPath): PolicyRule['resources'] {
  const node = reader.doc.getIn(path, true) as Node;
  if (!Array.isArray(raw)) {
    report(reader, node, path, 'wrong-type', '"resources" must be a list of {group, resources, resourceNames}');
    return undefined;
  }
  return raw.flatMap((entry, i) => {
    const at = [...path, i];
    const entryNode = reader.doc.getIn(at, true) as Node;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      const hint = typeof entry === 'string' ? ` (write {group: "", resources: ["${entry}"]})` : '';
      report(reader, entryNode, at, 'wrong-type', `each "resources" entry must be a mapping${hint}`);
      return [];
    }
    checkKeys(reader, entryNode, GROUP_RESOURCES_KEYS, at, 'a resources entry');
    const src = entry as Record<string, unknown>;
    const group = typeof src.group === 'string' ? src.group : src.group === undefined || src.group === null ? undefined : String(src.group);
    const resources = stringList(reader, src.resources, entryNode, [...at, 'resources']);
    const resourceNames = stringList(reader, src.resourceNames, entryNode, [...at, 'resourceNames']);
    return [{ ...(group !== undefined && { group }), ...(resources && { resources }), ...(resourceNames && { resourceNames }) }];
  });
}

/** Reads the typed policy from the plain JS value, and reports shape problems on the nodes. */
function readPolicy(reader: Reader): AuditPolicy | undefined {
  const root = reader.doc.contents as Node | null;
  // Values come from the plain JS form (anchors and merge keys resolved, as the API server
  // sees them); positions come from the nodes.
  const raw: unknown = reader.doc.toJS();
  if (!isMap(root) || typeof raw !== 'object' || raw === null) {
    report(reader, root, [], 'not-a-policy', 'document is not a mapping; expected apiVersion: audit.k8s.io/v1, kind: Policy');
    return undefined;
  }
  checkKeys(reader, root, POLICY_KEYS, [], 'the policy');
  const src = raw as Record<string, unknown>;
  if (src.kind !== 'Policy') report(reader, root.get('kind', true) ?? root, ['kind'], 'wrong-kind', `kind is ${JSON.stringify(src.kind ?? null)}, expected "Policy"`);
  if (src.apiVersion !== 'audit.k8s.io/v1') {
    report(reader, root.get('apiVersion', true) ?? root, ['apiVersion'], 'wrong-api-version', `apiVersion is ${JSON.stringify(src.apiVersion ?? null)}; API servers since 1.24 only accept "audit.k8s.io/v1"`);
  }
  const rulesNode = root.get('rules', true) as Node | undefined;
  let rules: PolicyRule[] = [];
  if (src.rules !== undefined && src.rules !== null && !isSeq(rulesNode)) report(reader, rulesNode, ['rules'], 'wrong-type', '"rules" must be a list');
  else if (Array.isArray(src.rules)) {
    rules = src.rules.flatMap((r, i) => {
      const rule = readRule(reader, r, ['rules', i]);
      if (rule) reader.ruleSourceIndexes.push(i);
      return rule ?? [];
    });
  }
  const omitStages = stringList(reader, src.omitStages, (root.get('omitStages', true) as Node) ?? root, ['omitStages']);
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    rules,
    ...(omitStages && { omitStages: omitStages as AuditPolicy['omitStages'] }),
    ...(typeof src.omitManagedFields === 'boolean' && { omitManagedFields: src.omitManagedFields }),
  };
}

/** Parses policy text; never throws on bad input, every defect becomes a problem. */
export function parsePolicyDocument(text: string): PolicyDocument {
  const lines = new LineCounter();
  // Duplicate keys are an error here: the API server's decoder keeps the last one silently,
  // which hides half of a rule.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const reader: Reader = { doc, lines, problems: [], ruleSourceIndexes: [] };
  for (const err of doc.errors) {
    const offset = err.pos[0];
    const { line, col } = lines.linePos(offset);
    reader.problems.push({ path: [], code: 'yaml-syntax', message: err.message.split('\n')[0] ?? err.message, position: { line: Math.max(line, 1), column: Math.max(col, 1) } });
  }
  const policy = doc.errors.length > 0 ? undefined : readPolicy(reader);
  const locate = (path: PolicyPath): SourcePosition => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? (doc.contents as Node | null) : (doc.getIn(path.slice(0, n), true) as Node | undefined);
      if (node && typeof node === 'object' && 'range' in node) return positionOf(reader, node);
    }
    return { line: 1, column: 1 };
  };
  return { policy, problems: reader.problems, ruleSourceIndexes: reader.ruleSourceIndexes, locate };
}
