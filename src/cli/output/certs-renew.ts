/**
 * `certs renew` output: kubeadm's "<long name> renewed" lines, the skipped certificates and
 * why, where the originals were kept, and the static pods to restart with the exact steps
 * (or, with --restart-static-pods, the progress of doing it).
 */
import path from 'node:path';
import { formatExpires, manualRestartSteps, type RenewCertificatesOutcome } from '../../certs/index.js';

function recoveryLines(outcome: RenewCertificatesOutcome): string[] {
  const lines = outcome.restoredManifests.map((pod) => `Put back the manifest of static pod "${pod}" that an interrupted restart had left parked`);
  lines.push(...outcome.recovered.map((r) => `Finished an interrupted renewal first (${r.journal}): ${r.outcome === 'completed' ? 'completed it' : 'restored the original files'}`));
  for (const j of outcome.unfinished) lines.push(`Note: an interrupted renewal (${j}) will be finished before renewing`);
  return lines;
}

function dryRunLines(outcome: RenewCertificatesOutcome): string[] {
  const lines = ['Dry run: nothing was written. A renewal would:'];
  for (const item of outcome.plan.items) {
    if (item.action === 'skip') {
      lines.push(`  skip ${item.name}: ${item.reason}`);
      continue;
    }
    lines.push(`  renew ${item.name} (${item.longName}): new key, signed by "${item.caName}", valid until ${formatExpires(item.notAfter as Date)}`);
    for (const file of item.files) lines.push(`      replace ${file}`);
    for (const note of item.notes) lines.push(`      note: ${note}`);
  }
  lines.push(`  keep the replaced files under ${outcome.backupRoot}/kubekeeper-certs-<time>/files`);
  return lines;
}

function restartLines(outcome: RenewCertificatesOutcome, dryRun: boolean): string[] {
  const pods = outcome.plan.staticPods;
  if (pods.length === 0) return [];
  if (outcome.restarted.length > 0) return [`Restarted static pods: ${outcome.restarted.join(', ')}.`];
  const manifestsDir = outcome.manifestsDir ?? '/etc/kubernetes/manifests';
  const lines = [`${dryRun ? 'Afterwards restart' : 'You must restart'} ${pods.join(', ')} so that they use the new certificates`
    + ' (or rerun with --restart-static-pods). For each static pod, one at a time:'];
  for (const pod of pods) {
    lines.push(`  ${pod}:`);
    manualRestartSteps(pod, manifestsDir, outcome.parkDir).forEach((step, i) => lines.push(`    ${i + 1}. ${step}`));
  }
  return lines;
}

/** The text rendering: kubeadm's lines, then backups and restarts. */
export function renderCertsRenewText(outcome: RenewCertificatesOutcome): string {
  const lines = recoveryLines(outcome);
  if (outcome.dryRun) {
    lines.push(...dryRunLines(outcome), ...restartLines(outcome, true));
    return `${lines.join('\n')}\n`;
  }
  for (const item of outcome.plan.items) {
    if (item.action === 'renew') lines.push(`${item.longName} renewed`);
    else lines.push(`skipped ${item.name}: ${item.reason}`);
    for (const note of item.notes) lines.push(`  note: ${note}`);
  }
  if (outcome.result) {
    lines.push(`Done renewing certificates. The replaced files are kept in ${path.join(outcome.result.backupDir, 'files')}.`);
  } else {
    lines.push('Nothing was renewed.');
  }
  lines.push(...restartLines(outcome, false));
  return `${lines.join('\n')}\n`;
}

/** The JSON document: the plan's items with their outcome, backups, recoveries and restarts. */
export function certsRenewJson(outcome: RenewCertificatesOutcome): Record<string, unknown> {
  return {
    dryRun: outcome.dryRun,
    backupRoot: outcome.backupRoot,
    backupDir: outcome.result?.backupDir ?? null,
    recovered: outcome.recovered,
    unfinished: outcome.unfinished,
    items: outcome.plan.items.map((i) => ({ ...i, notAfter: i.notAfter?.toISOString() ?? null })),
    staticPods: outcome.plan.staticPods,
    restoredManifests: outcome.restoredManifests,
    restarted: outcome.restarted,
  };
}
