/**
 * Drain output in kubectl's words: progress lines (stdout) and warnings/errors (stderr) from
 * DrainEvents, the --dry-run plan as a table, the failure tail naming pending pods and the
 * PodDisruptionBudgets that still block, and the -w json document.
 */
import type { DrainEvent, DrainNodeResult, DrainNodesResult, DrainPlan } from '../../k8s/index.js';
import { formatCordonResult } from '../../k8s/index.js';
import { renderTable } from './table.js';

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

const nameOf = (key: string) => key.slice(key.indexOf('/') + 1);
const nsOf = (key: string) => key.slice(0, key.indexOf('/'));

/** The line kubectl prints for an event (undefined for none). */
export function drainEventLine(e: DrainEvent): OutputLine | undefined {
  switch (e.type) {
    case 'cordon':
      return { stream: 'stdout', text: formatCordonResult(e.result) };
    case 'cordon-failed':
      return { stream: 'stderr', text: `error: unable to cordon node "${e.node}": ${e.message}` };
    case 'warning':
      return { stream: 'stderr', text: `Warning: ${e.text}` };
    case 'evicting':
      return { stream: 'stdout', text: `${e.method === 'delete' ? 'deleting' : 'evicting'} pod ${e.pod}${e.dryRun ? ' (dry run)' : ''}` };
    case 'evict-retry': {
      const seconds = Math.round(e.retryInMs / 1000);
      return e.namespaceTerminating
        ? { stream: 'stderr', text: `error when evicting pod "${nameOf(e.pod)}" from terminating namespace "${nsOf(e.pod)}" (will retry after ${seconds}s): ${e.message}` }
        : { stream: 'stderr', text: `error when evicting pods/"${nameOf(e.pod)}" -n "${nsOf(e.pod)}" (will retry after ${seconds}s): ${e.message}` };
    }
    case 'gone':
      return { stream: 'stdout', text: `pod/${nameOf(e.pod)} ${e.method === 'delete' ? 'deleted' : 'evicted'}` };
    case 'skip-wait':
      return { stream: 'stdout', text: `pod "${nameOf(e.pod)}" has DeletionTimestamp older than ${e.seconds} seconds, skipping` };
    case 'drained':
      return { stream: 'stdout', text: `node/${e.node} drained${e.dryRun ? ' (dry run)' : ''}` };
  }
}

/** The --dry-run plan: every pod on the node, what happens to it and why. */
export function renderDrainPlan(plan: DrainPlan): string {
  const rows = plan.decisions.map((d) => [d.pod, d.action, d.why]);
  const evict = plan.decisions.filter((d) => d.action === 'evict').length;
  const skip = plan.decisions.filter((d) => d.action === 'skip').length;
  const refuse = plan.decisions.filter((d) => d.action === 'refuse').length;
  const how = plan.method === 'eviction' ? `through the Eviction API (${plan.evictionVersion}); PodDisruptionBudgets apply` : 'by DELETE; PodDisruptionBudgets are NOT consulted';
  const lines = [`Plan for node/${plan.node}: ${evict} pod(s) to evict ${how}, ${skip} skipped, ${refuse} refused`];
  if (rows.length > 0) lines.push(renderTable(['pod', 'action', 'why'], rows, { align: 'left' }).trimEnd());
  if (plan.errors.length > 0) lines.push(`The node would NOT be drained: ${plan.errors.join('; ')}`);
  return `${lines.join('\n')}\n`;
}

/** stderr lines after a node failed (kubectl's tail, plus the blocking budgets). */
export function drainFailureLines(result: DrainNodeResult): string[] {
  if (result.drained) return [];
  if (result.failures.length === 0) return [`error: unable to drain node "${result.node}" due to error: ${result.error}, continuing command...`];
  const lines = [`There are pending pods in node "${result.node}" when an error occurred: ${result.error}`];
  for (const pod of result.pending) lines.push(`pod/${nameOf(pod)}`);
  for (const b of result.blockedBy) lines.push(`PodDisruptionBudget ${b.budget} (${b.detail}) still blocks eviction of: ${b.pods.join(', ')}`);
  // kubectl prints this for every node that was not drained, after its pending pods too.
  lines.push(`error: unable to drain node "${result.node}" due to error: ${result.error}, continuing command...`);
  return lines;
}

/** The -w json document: per node, the plan's decisions and the outcome. */
export function drainJson(result: DrainNodesResult): unknown {
  return {
    nodes: result.results.map((r) => ({
      node: r.node,
      drained: r.drained,
      dryRun: r.dryRun,
      method: r.plan.method,
      pods: r.plan.decisions,
      warnings: r.plan.warnings,
      errors: r.plan.errors,
      failures: r.failures,
      blockedBy: r.blockedBy,
      pending: r.pending,
    })),
    errors: result.errors,
    pendingNodes: result.pendingNodes,
  };
}
