/** `certs rotate-ca --dry-run` output: the plan as numbered steps grouped by phase, or JSON. */
import type { CaRotationPlan } from '../../certs/index.js';

const PHASE_TITLES: Record<string, string> = {
  prepare: 'Prepare',
  'trust-both': 'Trust old and new CA everywhere',
  're-issue': 'Re-issue with the new CA and roll the components',
  verify: 'Verify',
  'drop-old': 'Drop the old CA',
};

/** The text rendering: warnings, then numbered steps under phase headings. */
export function renderRotateCaText(plan: CaRotationPlan): string {
  const lines = [
    `CA rotation plan for "${plan.ca}" (${plan.layout}, ${plan.pkiDir}). Dry run: nothing was changed.`,
    `Certificates on this node signed by "${plan.ca}": ${plan.signs.map((s) => s.name).join(', ') || 'none'}`,
  ];
  for (const w of plan.warnings) lines.push(`Warning: ${w}`);
  let phase = '';
  plan.steps.forEach((step, i) => {
    if (step.phase !== phase) {
      phase = step.phase;
      lines.push('', `${PHASE_TITLES[phase] ?? phase}:`);
    }
    lines.push(`${String(i + 1).padStart(3)}. ${step.title} [${step.where}]`);
    for (const action of step.actions) lines.push(`       - ${action}`);
  });
  return `${lines.join('\n')}\n`;
}

/** The JSON document: the plan with its steps numbered from 1. */
export function rotateCaJson(plan: CaRotationPlan): Record<string, unknown> {
  return { ...plan, steps: plan.steps.map((s, i) => ({ number: i + 1, ...s })) };
}
