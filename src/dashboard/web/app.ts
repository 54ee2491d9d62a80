/**
 * The dashboard page. Reads its data from the inlined JSON block (a static report) or from
 * /api/data on the daemon that served it (same origin, the only request it makes), then
 * renders the fleet table and the selected cluster's sections.
 */
import type { DashboardData } from '../dashboard-data.js';
import { h, time } from './dom.js';
import { backupsSection, certificatesSection, drillsSection, etcdSection, fleetSection, recoverySection, retentionSection, scheduleLine } from './sections.js';

const SECTIONS: [string, string][] = [['fleet', 'Fleet'], ['backups', 'Backups'], ['drills', 'Drills'], ['recovery', 'Recovery point'], ['certificates', 'Certificates'], ['etcd', 'etcd'], ['retention', 'Retention']];

async function loadData(): Promise<DashboardData> {
  const inline = document.getElementById('kk-data');
  if (inline?.textContent) return JSON.parse(inline.textContent) as DashboardData;
  const res = await fetch('api/data', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`the daemon answered ${res.status} ${res.statusText}`);
  return (await res.json()) as DashboardData;
}

function render(root: HTMLElement, data: DashboardData, selected: number): void {
  const c = data.clusters[selected];
  if (!c) return;
  const select = (i: number) => {
    render(root, data, i);
    document.querySelector<HTMLElement>(`#fleet-table tr[data-cluster] button[aria-pressed="true"]`)?.focus();
  };
  root.replaceChildren(
    h('header', {},
      h('h1', {}, `kubekeeper: ${c.name}`),
      h('p', { class: 'meta' }, `${data.source === 'report' ? 'Static report' : 'Live from the daemon'}, read ${time(data.generatedAt)}; repository ${c.repository}`),
      scheduleLine(c),
      h('nav', { 'aria-label': 'Sections' }, h('ul', {}, ...SECTIONS.map(([id, label]) => h('li', {}, h('a', { href: `#${id}` }, label)))))),
    fleetSection(data, selected, select),
    backupsSection(c), drillsSection(c), recoverySection(c), certificatesSection(c, data.generatedAt), etcdSection(c), retentionSection(c));
  root.setAttribute('aria-busy', 'false');
}

const root = document.getElementById('app');
if (root) {
  loadData().then((data) => render(root, data, 0), (err: unknown) => {
    root.replaceChildren(h('h1', {}, 'kubekeeper'), h('p', { role: 'alert', class: 'note' }, `Cannot load the dashboard data: ${err instanceof Error ? err.message : String(err)}`));
    root.setAttribute('aria-busy', 'false');
  });
}
