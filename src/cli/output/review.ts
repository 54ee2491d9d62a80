/** `kubekeeper review` output: findings grouped by severity with line, why and fix; or JSON. */
import type { ClusterReview } from '../../k8s/index.js';
import { SEVERITIES } from '../../k8s/index.js';

export function renderReviewText(review: ClusterReview): string {
  const { roles, counts } = review;
  const summary = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`).join(', ');
  const lines = [
    `${review.file}: ${review.findings.length === 0 ? 'no findings' : `${review.findings.length} finding${review.findings.length === 1 ? '' : 's'} (${summary})`}`
    + ` — nodes: ${roles.etcd} etcd, ${roles.controlplane} controlplane, ${roles.worker} worker`,
  ];
  for (const f of review.findings) {
    lines.push('', `${f.severity.toUpperCase().padEnd(8)} ${review.file}:${f.line ?? '-'}  ${f.path}  [${f.rule}]`, `  ${f.message}`, `  Why: ${f.why}`, `  Fix: ${f.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderReviewJson(reviews: readonly ClusterReview[]): string {
  return `${JSON.stringify(reviews.length === 1 ? reviews[0] : reviews, null, 2)}\n`;
}
