/**
 * The page's charts, drawn with uPlot (bundled into app.js at build time). Each chart sits in
 * a figure with a text label; the tables beside it hold the same values for screen readers
 * and keyboard users. Colours come in pairs that also differ in dash or point shape.
 */
import uPlot from 'uplot';
import type { BackupRow, CertificateRow, DrillRow, EtcdView } from '../dashboard-data.js';
import { bytes, duration, h } from './dom.js';

const C = { blue: '#1f5fa8', teal: '#0b6e66', red: '#b3261e', amber: '#8a5a00', grey: '#5f6368', purple: '#6b3fa0' };
const sec = (iso: string) => Date.parse(iso) / 1000;

function figure(label: string): { fig: HTMLElement; box: HTMLDivElement } {
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': label });
  return { fig: h('figure', {}, box, h('figcaption', {}, label)), box };
}

function widthOf(): number {
  return Math.max(320, Math.min(1100, (document.querySelector('main')?.clientWidth ?? 900) - 40));
}

function base(title: string, height = 220): Omit<uPlot.Options, 'series'> {
  return { title, width: widthOf(), height, legend: { show: true, live: false }, cursor: { drag: { x: false, y: false } } };
}

const bytesAxis = (): uPlot.Axis => ({ label: 'bytes', size: 86, values: (_u, v) => v.map((x) => bytes(x)) });

/** Stored vs snapshot size per full backup, each delta segment's stored size, the duration on the right axis, failures as red points. */
export function backupChart(rows: readonly BackupRow[]): HTMLElement {
  // A segment whose manifest cannot be read has no time: it is in the table, not on the axis.
  const sorted = rows.filter((r) => sec(r.at) > 0).sort((a, b) => sec(a.at) - sec(b.at));
  const { fig, box } = figure('Backups over time: full backups\' snapshot size and stored size and delta segments\' stored size (left axis), duration (right axis), failed runs as red points on the time axis');
  const full = (r: BackupRow) => r.kind === 'full';
  const data: uPlot.AlignedData = [
    sorted.map((r) => sec(r.at)),
    sorted.map((r) => (full(r) ? r.snapshotBytes ?? null : null)),
    sorted.map((r) => (full(r) ? r.storedBytes ?? null : null)),
    sorted.map((r) => (full(r) ? null : r.storedBytes ?? null)),
    sorted.map((r) => (full(r) ? (r.durationMs ?? 0) / 1000 : null)),
    sorted.map((r) => (r.result === 'ok' ? null : 0)),
  ];
  new uPlot({
    ...base('Backup timeline'),
    scales: { d: { auto: true } },
    series: [
      {},
      { label: 'snapshot size', stroke: C.blue, width: 2, spanGaps: true, points: { show: true, size: 6 }, value: (_u, v) => bytes(v ?? undefined) },
      { label: 'stored size', stroke: C.teal, width: 2, dash: [6, 4], spanGaps: true, points: { show: true, size: 6 }, value: (_u, v) => bytes(v ?? undefined) },
      { label: 'delta segment', stroke: C.purple, width: 0, paths: () => null, points: { show: true, size: 7, fill: C.purple }, value: (_u, v) => bytes(v ?? undefined) },
      { label: 'duration', scale: 'd', stroke: C.grey, width: 1, dash: [2, 3], spanGaps: true, value: (_u, v) => duration((v ?? 0) * 1000) },
      { label: 'failed', stroke: C.red, width: 0, paths: () => null, points: { show: true, size: 10, fill: C.red } },
    ],
    axes: [{}, bytesAxis(), { scale: 'd', side: 1, label: 'seconds', grid: { show: false } }],
  }, data, box);
  return fig;
}

/** Each drill's time split into download, restore, start and checks, as stacked bars. */
export function drillChart(rows: readonly DrillRow[]): HTMLElement {
  const sorted = [...rows].sort((a, b) => sec(a.at) - sec(b.at));
  const { fig, box } = figure('Restore drills over time: duration split into download, restore, start and checks (stacked, seconds); failed drills are marked');
  const parts = ['downloadMs', 'restoreMs', 'startMs', 'checksMs'] as const;
  const cumulative = parts.map((_, i) => sorted.map((r) => parts.slice(0, i + 1).reduce((s, p) => s + r.split[p], 0) / 1000));
  const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
  const colours = [C.blue, C.teal, C.purple, C.amber];
  const names = ['download', 'restore', 'start', 'checks'];
  // Drawn tallest first so each shorter cumulative bar shows on top: a stack.
  const order = [3, 2, 1, 0];
  new uPlot({
    ...base('Restore drills'),
    series: [
      {},
      ...order.map((i) => ({ label: names[i], fill: colours[i], stroke: colours[i], paths: bars, points: { show: false }, value: (_u: uPlot, v: number | null) => duration((v ?? 0) * 1000) })),
      { label: 'failed', stroke: C.red, width: 0, paths: () => null, points: { show: true, size: 11, fill: C.red } },
    ],
    axes: [{}, { label: 'seconds', size: 60 }],
  }, [sorted.map((r) => sec(r.at)), ...order.map((i) => cumulative[i] ?? []), sorted.map((r) => (r.ok ? null : 0))], box);
  return fig;
}

/** Every certificate as a bar from issue to expiry; the warning window after now is shaded. */
export function certificateChart(rows: readonly CertificateRow[], warnWithinMs: number, nowIso: string): HTMLElement {
  const shown = rows.filter((r) => r.notBefore && r.notAfter);
  const { fig, box } = figure('Certificates on a time axis from issue to expiry; CAs dashed, leaf certificates solid, red when they expire within the warning window (the shaded band from now)');
  const xs = [...new Set(shown.flatMap((r) => [sec(r.notBefore ?? ''), sec(r.notAfter ?? '')]))].sort((a, b) => a - b);
  const data: uPlot.AlignedData = [xs, ...shown.map((r, i) => xs.map((x) => (x === sec(r.notBefore ?? '') || x === sec(r.notAfter ?? '') ? i + 1 : null)))];
  const now = sec(nowIso);
  const shade: uPlot.Plugin = {
    hooks: {
      drawClear: (u) => {
        const x0 = u.valToPos(now, 'x', true);
        const x1 = u.valToPos(now + warnWithinMs / 1000, 'x', true);
        const { top, height } = u.bbox;
        u.ctx.save();
        u.ctx.fillStyle = 'rgba(138, 90, 0, 0.15)';
        u.ctx.fillRect(x0, top, Math.max(2, x1 - x0), height);
        u.ctx.fillStyle = C.amber;
        u.ctx.fillRect(x0, top, 2, height);
        u.ctx.restore();
      },
    },
  };
  new uPlot({
    ...base('Certificates', Math.max(160, 40 + shown.length * 24)),
    legend: { show: false },
    plugins: [shade],
    scales: { y: { range: [0, shown.length + 1] } },
    // A certificate that expires within the warning window is drawn red (its table row says so in words).
    series: [{}, ...shown.map((r) => ({
      label: r.name, stroke: sec(r.notAfter ?? '') - now <= warnWithinMs / 1000 ? C.red : r.kind === 'ca' ? C.purple : C.blue,
      width: 6, dash: r.kind === 'ca' ? [10, 4] : undefined, spanGaps: true, points: { show: false },
    }))],
    axes: [{}, { size: 190, splits: () => shown.map((_, i) => i + 1), values: (_u, v) => v.map((i) => `${shown[i - 1]?.name ?? ''}${shown[i - 1]?.kind === 'ca' ? ' (CA)' : ''}`) }],
  }, data, box);
  return fig;
}

/** The member's db size at each backup against the quota, and its revision (right axis). */
export function etcdChart(view: EtcdView, quotaBytes: number | undefined): HTMLElement {
  const { fig, box } = figure('etcd over time from the backups: db size (left axis) against the quota, revision (right axis)');
  const xs = view.history.map((p) => sec(p.at));
  new uPlot({
    ...base('etcd db size and revision'),
    scales: { r: { auto: true } },
    series: [
      {},
      { label: 'db size', stroke: C.blue, width: 2, points: { show: true, size: 6 }, value: (_u, v) => bytes(v ?? undefined) },
      ...(quotaBytes ? [{ label: 'quota', stroke: C.red, width: 1, dash: [8, 4], value: (_u: uPlot, v: number | null) => bytes(v ?? undefined) }] : []),
      { label: 'revision', scale: 'r', stroke: C.teal, width: 2, dash: [4, 3] },
    ],
    axes: [{}, bytesAxis(), { scale: 'r', side: 1, label: 'revision', size: 80, grid: { show: false } }],
  }, [xs, view.history.map((p) => p.dbSizeBytes), ...(quotaBytes ? [xs.map(() => quotaBytes)] : []), view.history.map((p) => p.revision)], box);
  return fig;
}
