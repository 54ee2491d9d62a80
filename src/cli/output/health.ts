/** `kubekeeper health` output: one section per check, then the problems; or the report as JSON. */
import type { HealthReport } from '../../k8s/index.js';
import { formatIecBytes } from './progress.js';
import { renderTable } from './table.js';

function apiserverLines(report: HealthReport): string[] {
  return report.apiserver.map((r) => {
    const passed = r.checks.filter((c) => c.ok).length;
    const state = r.healthy ? `ok${r.checks.length > 0 ? ` (${passed} check${passed === 1 ? '' : 's'} passed)` : ''}` : `FAILED (HTTP ${r.statusCode})${r.failed.length > 0 ? `: ${r.failed.map((f) => `[-]${f}`).join(' ')}` : r.message ? `: ${r.message}` : ''}`;
    return `  /${r.endpoint.padEnd(7)}${state}`;
  });
}

function etcdSection(report: HealthReport): string[] {
  const etcd = report.etcd;
  if (!etcd) return [];
  const rows = etcd.endpoints.map((e) => [
    e.endpoint || '(none)',
    e.member ?? '',
    e.healthy ? 'true' : 'false',
    e.tookMs === undefined ? '' : `${e.tookMs.toFixed(1)}ms`,
    e.status?.version ?? '',
    e.status ? formatIecBytes(e.status.dbSizeBytes) : '',
    e.status ? String(e.status.memberId === etcd.leader) : '',
    e.status ? String(e.status.raftTerm) : '',
    e.error ?? (e.status?.errors.join(', ') || ''),
  ]);
  const lines = ['etcd', renderTable(['endpoint', 'member', 'healthy', 'took', 'version', 'db size', 'is leader', 'raft term', 'errors'], rows).trimEnd()];
  lines.push(`  members: ${etcd.members.length}${etcd.leader ? `, leader ${etcd.leader}` : ', no leader'}, alarms: ${etcd.alarms.length === 0 ? 'none' : etcd.alarms.map((a) => `${a.alarm} on ${a.memberId}`).join(', ')}`);
  return lines;
}

/** The human report. */
export function renderHealthText(report: HealthReport): string {
  const lines = ['API server', ...apiserverLines(report)];
  if (report.nodes.length > 0) {
    lines.push(`Nodes (${report.nodes.filter((n) => n.ready).length}/${report.nodes.length} Ready)`);
    lines.push(renderTable(['name', 'ready', 'roles', 'version', 'schedulable'], report.nodes.map((n) => [
      n.name, n.ready ? 'True' : `False (${n.reason})`, n.roles.join(',') || '<none>', n.kubeletVersion, n.unschedulable ? 'no' : 'yes',
    ]), { align: 'left' }).trimEnd());
  }
  if (report.controlPlane && !report.controlPlane.skipped) {
    lines.push('Control-plane static pods');
    lines.push(renderTable(['node', 'component', 'pod', 'phase', 'ready'], report.controlPlane.pods.map((p) => [p.node, p.component, p.pod ?? '-', p.phase, String(p.ready)]), { align: 'left' }).trimEnd());
  }
  lines.push(...etcdSection(report));
  for (const n of report.notes) lines.push(`Note: ${n}`);
  if (report.healthy) lines.push('Cluster is healthy');
  else {
    lines.push(`Cluster is NOT healthy (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}):`);
    for (const p of report.problems) lines.push(`  - ${p}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderHealthJson(report: HealthReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
