/** A production-review finding for an RKE cluster.yml. */

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export interface ReviewFinding {
  /** Stable id for scripts and suppressions, e.g. "upgrade.drain-disabled". */
  rule: string;
  severity: Severity;
  /** Dotted YAML path of the setting ("upgrade_strategy.node_drain_input.force"). */
  path: string;
  /** 1-based line of the key, or of the parent where it should be added; undefined when absent. */
  line: number | undefined;
  /** What is wrong, with the value found. */
  message: string;
  /** Why it matters in production. */
  why: string;
  /** The change to make. */
  fix: string;
}

/** What every rule group receives: the file plus the node counts per role. */
export interface ReviewContext {
  file: import('./cluster-file.js').ClusterFile;
  roles: { etcd: number; controlplane: number; worker: number };
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
