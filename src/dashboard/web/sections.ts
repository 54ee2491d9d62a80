/**
 * One function per section of the page. Each takes the selected cluster's view and returns a
 * <section>; a section without data says why (not configured, not built yet, a fleet member).
 */
import type { ClusterView, DashboardData, Section } from '../dashboard-data.js';
import { backupChart, certificateChart, drillChart, etcdChart } from './charts.js';
import { badge, bytes, duration, h, note, table, time } from './dom.js';

function section(id: string, title: string, ...body: (Node | string)[]): HTMLElement {
  return h('section', { id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...body);
}

function unavailable<T>(s: Section<T>, render: (v: T) => (Node | string)[]): (Node | string)[] {
  return s.state === 'ok' ? render(s.value) : [note(s.reason)];
}

/** A failure's reason: on hover (title) and on click or Enter (a disclosure). */
function reasonCell(ok: boolean, text: string, reason: string | undefined): HTMLTableCellElement {
  if (ok || !reason) return h('td', {}, badge(ok, text));
  return h('td', { title: reason }, h('details', {}, h('summary', {}, badge(false, text)), h('p', { class: 'reason' }, reason)));
}

export function fleetSection(data: DashboardData, selected: number, select: (i: number) => void): HTMLElement {
  const now = Date.parse(data.generatedAt);
  const rows = data.clusters.map((c, i) => {
    const s = c.summary;
    const button = h('button', { type: 'button', 'aria-pressed': String(i === selected), 'aria-label': `Show cluster ${c.name}` }, c.name);
    button.addEventListener('click', () => select(i));
    return h('tr', { 'data-cluster': c.name },
      h('th', { scope: 'row' }, button),
      h('td', { class: 'repo' }, c.repository),
      c.error ? h('td', { colspan: 4 }, badge(false, 'unreadable'), ` ${c.error}`) : h('td', {}, s.lastBackupAt ? badge(Boolean(s.lastBackupOk), time(s.lastBackupAt)) : 'none'),
      ...(c.error ? [] : [
        h('td', {}, s.lastDrillAt ? badge(Boolean(s.lastDrillOk), `${s.lastDrillOk ? 'passed' : 'failed'} ${time(s.lastDrillAt)}`) : 'none'),
        h('td', { class: 'num' }, s.recoveryPointLagMs !== undefined ? duration(s.recoveryPointLagMs) : 'no good backup'),
        h('td', {}, s.firstCertExpiry ? `${s.firstCertExpiry.name}: ${duration(Date.parse(s.firstCertExpiry.notAfter) - now)}` : c.certificates.state === 'ok' ? 'none' : 'not known'),
      ]));
  });
  return section('fleet', 'Fleet', table('One row per cluster (repository); choose one to show its details below',
    ['cluster', 'repository', 'last backup', 'last drill', 'recovery point', 'first certificate expiry'], rows, { id: 'fleet-table' }));
}

/** "1200" for one revision, "1201–1388" for a range. */
function revisions(first: number | undefined, last: number | undefined): string {
  if (first === undefined || last === undefined) return '–';
  return first === last ? String(first) : `${first}–${last}`;
}

export function backupsSection(c: ClusterView): HTMLElement {
  if (c.backups.length === 0) return section('backups', 'Backups', note(c.error ? `Repository unreadable: ${c.error}` : 'No backups in this repository yet'));
  const rows = c.backups.map((b) => h('tr', { 'data-backup': b.name, class: b.result === 'ok' ? '' : 'problem' },
    h('th', { scope: 'row' }, b.name), h('td', {}, Date.parse(b.at) > 0 ? time(b.at) : 'unknown'), h('td', {}, b.kind),
    h('td', { class: 'num' }, bytes(b.storedBytes)), h('td', { class: 'num' }, bytes(b.snapshotBytes)), h('td', { class: 'num' }, duration(b.durationMs)),
    reasonCell(b.result === 'ok', b.result, b.problems.join('; ')), h('td', {}, b.signature ?? ''), h('td', { class: 'num' }, revisions(b.firstRevision, b.lastRevision)),
    h('td', { class: 'num' }, b.events ?? '')));
  const omitted = c.recoveryPoint.deltas?.omitted ? [note(`${c.recoveryPoint.deltas.omitted} older delta segment(s) not shown; "kubekeeper backup list" counts them all`)] : [];
  return section('backups', 'Backups', backupChart(c.backups),
    table('Every full backup and delta segment, newest first; a failed one shows its reason on hover, or open it',
      ['name', 'time', 'kind', 'stored', 'snapshot', 'duration', 'result', 'signature', 'revisions', 'events'], rows, { id: 'backups-table' }), ...omitted);
}

export function drillsSection(c: ClusterView): HTMLElement {
  if (c.drills.length === 0) return section('drills', 'Restore drills', note('No restore drill recorded in this repository yet (the daemon records each drill it runs, as does "kubekeeper drill")'));
  const rows = c.drills.map((d) => h('tr', { 'data-drill': d.at, class: d.ok ? '' : 'problem' },
    h('th', { scope: 'row' }, time(d.at)), h('td', {}, d.backupName ?? '–'), reasonCell(d.ok, d.ok ? 'passed' : `failed at ${d.failedStep ?? '?'}`, d.reason),
    h('td', { class: 'num' }, duration(d.durationMs)), h('td', { class: 'num' }, duration(d.split.downloadMs)), h('td', { class: 'num' }, duration(d.split.restoreMs)),
    h('td', { class: 'num' }, duration(d.split.startMs)), h('td', { class: 'num' }, duration(d.split.checksMs))));
  const verifies = c.verifies.map((v) => h('tr', { 'data-verify': v.at }, h('th', { scope: 'row' }, time(v.at)), h('td', {}, v.backupName ?? '–'), reasonCell(v.ok, v.ok ? 'passed' : 'failed', v.reason), h('td', { class: 'num' }, duration(v.durationMs))));
  return section('drills', 'Restore drills', drillChart(c.drills),
    table('Restore drills, newest first', ['time', 'backup', 'result', 'total', 'download', 'restore', 'start', 'checks'], rows, { id: 'drills-table' }),
    ...(verifies.length ? [table('Backup verifications, newest first', ['time', 'backup', 'result', 'duration'], verifies, { id: 'verifies-table' })] : []));
}

function streamLines(c: ClusterView): HTMLElement[] {
  const s = c.recoveryPoint.stream;
  if (s.state !== 'ok') return [note(`Delta streamer: ${s.reason}`)];
  const v = s.value;
  if (!v.leader) return [h('p', { id: 'stream-lag' }, `Delta streamer: another node streams, or the election is pending (segments written here: ${v.segmentsWritten})`)];
  return [h('p', { id: 'stream-lag' }, `Delta streamer: lag ${duration(v.lagSeconds * 1000)}, ${v.lagRevisions} revision(s) behind etcd's ${v.etcdRevision}; stored up to revision ${v.storedRevision}; `
    + `${v.segmentsWritten} segment(s) written, ${v.gaps} gap(s), ${v.restarts} restart(s)`), ...(v.failingSince ? [h('p', { role: 'alert' }, badge(false, 'failing'), ` since ${time(v.failingSince)}`)] : [])];
}

export function recoverySection(c: ClusterView): HTMLElement {
  const rp = c.recoveryPoint;
  const behind = rp.revisionsBehind !== undefined ? `, ${rp.revisionsBehind} revision(s) behind the live etcd` : '';
  const lag = rp.lagMs !== undefined
    ? h('p', { class: 'big', id: 'recovery-lag' }, `Recovery point: revision ${rp.newestRevision ?? '?'}, ${duration(rp.lagMs)} ago (${time(rp.newestGoodAt)})${behind}`)
    : note('No good backup: nothing can be restored from this repository');
  const d = rp.deltas;
  const deltas = d
    ? [h('p', { id: 'recovery-deltas' }, `Delta segments: ${d.segments}; newest stored revision ${d.recoveryPoint ? `${d.recoveryPoint.revision}${d.recoveryPoint.receivedAt ? ` (received ${time(d.recoveryPoint.receivedAt)})` : ''}` : 'none'}`),
      ...(d.gaps.length ? [h('p', { role: 'alert' }, badge(false, 'gap'), ` revisions compacted away before they were stored: ${d.gaps.map((g) => `${g.fromRevision}–${g.toRevision}`).join(', ')}`)] : [])]
    : [];
  const rows = rp.ranges.map((r) => h('tr', { 'data-range': r.full }, h('th', { scope: 'row' }, r.full), h('td', {}, time(r.at)), h('td', { class: 'num' }, r.fromRevision),
    h('td', { class: 'num' }, r.toRevision), h('td', {}, r.toRevision > r.fromRevision ? time(r.toAt) : 'the backup alone')));
  return section('recovery', 'Recovery point', lag, ...streamLines(c), ...deltas, ...(rp.deltasNote ? [note(rp.deltasNote)] : []),
    ...(rows.length ? [table('Restorable revisions per full backup (snapshot restore --from-backup NAME --to-revision / --to-time)', ['full backup', 'time', 'from revision', 'to revision', 'received'], rows, { id: 'ranges-table' })] : []));
}

export function certificatesSection(c: ClusterView, nowIso: string): HTMLElement {
  return section('certificates', 'Certificates', ...unavailable(c.certificates, (v) => {
    const now = Date.parse(nowIso);
    const rows = [...v.rows].sort((a, b) => Date.parse(a.notAfter ?? '9999') - Date.parse(b.notAfter ?? '9999')).map((r) => {
      const left = r.notAfter ? Date.parse(r.notAfter) - now : undefined;
      const state = r.missing ? 'missing' : left !== undefined && left <= 0 ? 'expired' : left !== undefined && left <= v.warnWithinMs ? 'expires soon' : 'ok';
      return h('tr', { 'data-cert': r.name }, h('th', { scope: 'row' }, r.name), h('td', {}, r.kind === 'ca' ? 'CA' : 'leaf'), h('td', {}, time(r.notAfter)),
        h('td', { class: 'num' }, left === undefined ? '–' : left <= 0 ? 'expired' : duration(left)), h('td', {}, badge(state === 'ok', state)));
    });
    const dated = v.rows.some((r) => r.notBefore && r.notAfter);
    return [dated ? certificateChart(v.rows, v.warnWithinMs, nowIso) : note('No certificate could be read: see the table'), table(`${v.layout} PKI in ${v.pkiDir}; warning window ${duration(v.warnWithinMs)}`, ['certificate', 'kind', 'expires', 'left', 'state'], rows, { id: 'certs-table' })];
  }));
}

export function etcdSection(c: ClusterView): HTMLElement {
  const e = c.etcd;
  const live = unavailable(e.live, (l) => [h('dl', { id: 'etcd-live' },
    h('dt', {}, 'member'), h('dd', {}, `${l.endpoint} (etcd ${l.version}) at ${time(l.at)}`),
    h('dt', {}, 'db size / quota'), h('dd', {}, `${bytes(l.dbSizeBytes)} of ${bytes(l.quotaBytes)} (${((l.dbSizeBytes / l.quotaBytes) * 100).toFixed(1)}%)`),
    h('dt', {}, 'in use'), h('dd', {}, bytes(l.dbSizeInUseBytes)),
    h('dt', {}, 'revision'), h('dd', {}, String(l.revision)),
    h('dt', {}, 'alarms'), h('dd', {}, l.alarms.length ? badge(false, l.alarms.join(', ')) : badge(true, 'none')))]);
  const members = e.live.state === 'ok' || e.members.state === 'ok' ? unavailable(e.members, (m) => {
    const rows = m.rows.map((r) => h('tr', { 'data-member': r.name || r.endpoint, class: r.alarms.length ? 'problem' : '' },
      h('th', { scope: 'row' }, r.name || '–'), h('td', { class: 'repo' }, r.endpoint), h('td', {}, `${r.isLeader ? 'leader' : r.isLearner ? 'learner' : 'follower'}, ${r.version}`),
      h('td', { class: 'num' }, bytes(r.dbSizeBytes)), h('td', { class: 'num' }, bytes(r.dbSizeInUseBytes)), h('td', { class: 'num' }, `${r.fragmentationPercent.toFixed(1)}% (${bytes(r.freeBytes)})`),
      h('td', { class: 'num' }, `${r.quotaPercent.toFixed(1)}% of ${bytes(r.quotaBytes)}${r.quotaSource === 'assumed' ? ' (assumed)' : ''}`),
      h('td', {}, r.alarms.length ? badge(false, r.alarms.join(', ')) : badge(true, 'none'))));
    const down = m.unreachable.map((u) => h('p', { role: 'alert' }, badge(false, 'unreachable'), ` ${u.endpoint}: ${u.error}`));
    return [table('Every member, as "kubekeeper endpoint status --detail" shows it; fragmentation is what "kubekeeper defrag" gives back', ['member', 'endpoint', 'role', 'db size', 'in use', 'fragmentation', 'quota used', 'alarms'], rows, { id: 'etcd-members-table' }), ...down];
  }) : [];
  const rate = e.revisionsPerHour !== undefined ? [h('p', {}, `Revision rate between the two newest backups: ${e.revisionsPerHour.toFixed(1)} per hour`)] : [];
  const quota = e.live.state === 'ok' ? e.live.value.quotaBytes : undefined;
  return section('etcd', 'etcd', ...live, ...members, ...rate, ...(e.history.length ? [etcdChart(e, quota)] : [note('No good backup yet: no db size history')]));
}

export function retentionSection(c: ClusterView): HTMLElement {
  return section('retention', 'Retention', ...unavailable(c.retention, (v) => {
    const rows = v.decisions.map((d) => h('tr', { 'data-retention': d.name, class: d.action === 'remove' ? 'problem' : '' },
      h('th', { scope: 'row' }, d.name), h('td', {}, time(d.createdAt)), h('td', {}, badge(d.action === 'keep', d.action)), h('td', {}, d.reasons.join('; '))));
    return [h('p', {}, `Policy: ${v.policy}`), table('What the next prune keeps and removes, and why', ['backup', 'time', 'action', 'reasons'], rows, { id: 'retention-table' })];
  }));
}

export function scheduleLine(c: ClusterView): HTMLElement {
  return h('p', { id: 'schedule' }, ...unavailable(c.schedule, (s) => [`Next backup: ${time(s.nextBackupAt)}; next drill: ${s.nextDrillAt ? time(s.nextDrillAt) : 'drills not enabled'}`]));
}
