/**
 * reviewClusterFile: the production review of an RKE1 cluster.yml. Pure: text in, findings
 * out, each with a severity, the line, why it matters and the fix, sorted by severity then line.
 */
import { ClusterFile } from './cluster-file.js';
import type { ReviewContext, ReviewFinding, Severity } from './finding.js';
import { severityRank } from './finding.js';
import { reviewAudit } from './rules-audit.js';
import { reviewBackups } from './rules-backups.js';
import { reviewTopologyAndCerts } from './rules-topology.js';
import { reviewUpgradeStrategy } from './rules-upgrade-strategy.js';

export interface ClusterReview {
  file: string;
  roles: ReviewContext['roles'];
  findings: ReviewFinding[];
  counts: Record<Severity, number>;
}

function countRoles(file: ClusterFile): ReviewContext['roles'] {
  const nodes = file.get(['nodes']);
  const roles = { etcd: 0, controlplane: 0, worker: 0 };
  if (!Array.isArray(nodes)) return roles;
  for (const node of nodes as Array<{ role?: unknown }>) {
    const list = Array.isArray(node?.role) ? node.role.map(String) : [];
    for (const r of ['etcd', 'controlplane', 'worker'] as const) if (list.includes(r)) roles[r]++;
  }
  return roles;
}

/** Reviews a cluster.yml; throws AppError when the YAML cannot be parsed. */
export function reviewClusterFile(text: string, name: string): ClusterReview {
  const file = ClusterFile.parse(text, name);
  const ctx: ReviewContext = { file, roles: countRoles(file) };
  const findings = [...reviewTopologyAndCerts(ctx), ...reviewUpgradeStrategy(ctx), ...reviewBackups(ctx), ...reviewAudit(ctx)]
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || (a.line ?? 0) - (b.line ?? 0) || a.rule.localeCompare(b.rule));
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) counts[f.severity]++;
  return { file: name, roles: ctx.roles, findings, counts };
}
