/**
 * Which labels and taints a replacement node must carry over from the node it replaces, and
 * which are missing on the new node. Labels the kubelet or cloud provider sets for the machine
 * itself (hostname, OS, arch, instance type, zone) and taints the node lifecycle controller
 * manages (node.kubernetes.io/*) belong to the machine, not the role, and are not carried.
 */
import type { Node, Taint } from '../types.js';

const MACHINE_LABELS = new Set([
  'kubernetes.io/hostname', 'kubernetes.io/arch', 'kubernetes.io/os',
  'beta.kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
]);
const MACHINE_LABEL_PREFIXES = ['topology.kubernetes.io/', 'failure-domain.beta.kubernetes.io/', 'feature.node.kubernetes.io/'];
const MANAGED_TAINT_PREFIXES = ['node.kubernetes.io/', 'node.cloudprovider.kubernetes.io/'];
const MANAGED_TAINTS = new Set(['ToBeDeletedByClusterAutoscaler', 'DeletionCandidateOfClusterAutoscaler']);

/** The old node's labels that describe its role and should move to the replacement. */
export function carriedLabels(old: Node): Record<string, string> {
  return Object.fromEntries(Object.entries(old.metadata.labels ?? {})
    .filter(([k]) => !MACHINE_LABELS.has(k) && !MACHINE_LABEL_PREFIXES.some((p) => k.startsWith(p)))
    .sort(([a], [b]) => a.localeCompare(b)));
}

/** The old node's taints set by people (not by controllers). */
export function carriedTaints(old: Node): Taint[] {
  return (old.spec?.taints ?? []).filter((t) => !MANAGED_TAINTS.has(t.key) && !MANAGED_TAINT_PREFIXES.some((p) => t.key.startsWith(p)));
}

export const formatTaint = (t: Taint) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;

export interface ReplacementDiff {
  /** Labels the new node lacks or has with another value (the old value is wanted). */
  labels: Record<string, string>;
  taints: Taint[];
}

/** What the new node still lacks. Pure. */
export function replacementDiff(wanted: { labels: Record<string, string>; taints: readonly Taint[] }, current: Node): ReplacementDiff {
  const have = current.metadata.labels ?? {};
  const labels = Object.fromEntries(Object.entries(wanted.labels).filter(([k, v]) => have[k] !== v));
  const haveTaints = current.spec?.taints ?? [];
  const taints = wanted.taints.filter((t) => !haveTaints.some((h) => h.key === t.key && h.effect === t.effect && (h.value ?? '') === (t.value ?? '')));
  return { labels, taints };
}

/** "labels a=b, c=d; taints k=v:NoSchedule", or undefined when nothing is missing. */
export function describeDiff(diff: ReplacementDiff): string | undefined {
  const parts: string[] = [];
  const labels = Object.entries(diff.labels).map(([k, v]) => `${k}=${v}`);
  if (labels.length > 0) parts.push(`labels ${labels.join(', ')}`);
  if (diff.taints.length > 0) parts.push(`taints ${diff.taints.map(formatTaint).join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}
