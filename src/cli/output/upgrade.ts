/**
 * Upgrade output: the plan (component table like `kubeadm upgrade plan`, skew violations,
 * blockers, warnings, numbered steps with their checks) and the progress lines of the
 * resumable runbooks (upgrade node, node replace), including the drain lines.
 */
import type { DrainEvent, RunbookEvent, UpgradePlan } from '../../k8s/index.js';
import type { OutputLine } from './drain.js';
import { drainEventLine } from './drain.js';
import { renderTable } from './table.js';

export function renderUpgradePlanText(plan: UpgradePlan): string {
  const lines = [`Cluster version: ${plan.clusterVersion}`, `Target version: ${plan.target ?? '(none: pass --to 1.x.y to plan an upgrade)'}`, ''];
  const rows = plan.components.map((c) => [c.component, c.node || '-', c.current, c.target || '-']);
  lines.push(renderTable(['component', 'node', 'current', 'target'], rows, { align: 'left' }).trimEnd(), '');
  lines.push('The version skew policy allows:', ...plan.allowed.map((a) => `  - ${a}`));
  if (plan.skew.length > 0) lines.push('', 'Version skew violations now:', ...plan.skew.map((s) => `  - ${s.message}`));
  if (plan.blockers.length > 0) lines.push('', `Upgrade to ${plan.target} refused:`, ...plan.blockers.map((b) => `  - ${b}`));
  if (plan.warnings.length > 0) lines.push('', 'Warnings:', ...plan.warnings.map((w) => `  - ${w}`));
  if (plan.steps.length > 0) {
    lines.push('', 'Steps, in order (do not start a step before the checks of the previous one pass):');
    plan.steps.forEach((s, i) => {
      lines.push(`${String(i + 1).padStart(3)}. ${s.title}`);
      if (s.command) lines.push(`       $ ${s.command}`);
      if (s.detail) lines.push(`       ${s.detail}`);
      for (const c of s.checks) lines.push(`       check: ${c}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

export type RunbookProgress = RunbookEvent | DrainEvent | { type: 'waiting'; what: string; missing: string };

/** One progress line per runbook event (drain events as drain prints them). */
export function runbookEventLine(e: RunbookProgress): OutputLine | undefined {
  switch (e.type) {
    case 'resume':
      return { stream: 'stdout', text: `Resuming from ${e.file} (done: ${e.done.join(', ') || 'nothing'})` };
    case 'step-start':
      return { stream: 'stdout', text: `==> ${e.title}${e.rerun ? ' (again: it was interrupted)' : ''}` };
    case 'step-done':
      return { stream: 'stdout', text: `    ${e.skipped ? 'skipped' : 'done'}${e.detail ? `: ${e.detail}` : ''}` };
    case 'step-already-done':
      return { stream: 'stdout', text: `==> ${e.title}: already done` };
    case 'finished':
      return { stream: 'stdout', text: `All steps done (state in ${e.file})` };
    case 'waiting':
      return { stream: 'stdout', text: `    waiting for ${e.what}: ${e.missing}` };
    default:
      return drainEventLine(e);
  }
}
