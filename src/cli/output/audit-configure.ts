/** Renders the `audit configure` plan: the changes, warnings, a unified diff, and what was written. */
import { unifiedDiff, type ConfigureResult } from '../../audit/index.js';

const MARKS = { add: '+', update: '~', unchanged: '=' } as const;

export function renderConfigureText(result: ConfigureResult, kind: 'kubeadm' | 'rke', profile: string | undefined): string {
  const out: string[] = [`Audit logging in "${result.file}" (${kind === 'kubeadm' ? 'kubeadm static pod' : 'RKE cluster.yml'}):`];
  for (const c of result.plan.changes) {
    const detail = c.action === 'update' ? `${c.from} -> ${c.to}` : c.action === 'add' ? `${c.to}${c.from ? ` (was ${c.from})` : ''}` : `${c.to} (unchanged)`;
    out.push(`  ${MARKS[c.action]} ${c.target}: ${detail}`);
  }
  const pf = result.policyFile;
  if (pf) {
    const what = {
      write: `missing; ${result.policyWritten ? 'written' : 'will be written'} with the ${profile ?? 'recommended'} profile`,
      replace: `${result.policyWritten ? 'replaced' : 'will be replaced'} with the ${profile} profile (a backup is kept)`,
      keep: `kept as it is${pf.findings ? ` (${pf.findings} lint finding${pf.findings === 1 ? '' : 's'}: run "kubekeeper audit lint ${pf.path}")` : ''}`,
    }[pf.action];
    out.push(`Policy file "${pf.path}": ${what}`);
  }
  for (const w of result.plan.warnings) out.push(`Warning: ${w}`);
  const diff = unifiedDiff(result.before, result.plan.text, `${result.file}`, `${result.file} (new)`);
  if (diff) out.push('', diff.trimEnd());
  out.push('');
  if (!diff) out.push('Nothing to change in the file.');
  else if (!result.written) out.push('Dry run: nothing was written. Run again with --apply to apply (the original is backed up).');
  else {
    out.push(`Backed up the original to "${result.backupPath}" and wrote "${result.file}".`);
    out.push(kind === 'kubeadm' ? 'kubelet restarts kube-apiserver with the new flags shortly; check it with "kubectl -n kube-system get pod -l component=kube-apiserver".' : 'Run "rke up" to apply it to the cluster.');
  }
  return `${out.join('\n')}\n`;
}
