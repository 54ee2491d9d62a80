/**
 * A tiny element builder for the dashboard page: text always goes in as text nodes (never
 * innerHTML), so nothing read from a repository can become markup or script.
 */
type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | number | boolean | undefined>;

/** `h('td', { class: 'num' }, '12 MiB')`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== undefined && c !== null && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> "1.5 KiB". */
export function bytes(n: number | undefined): string {
  if (n === undefined) return '–';
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${UNITS[i]}`;
}

/** 93_000 -> "1m 33s"; 450 -> "450 ms". */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  const parts: [number, string][] = [[Math.floor(s / 86400), 'd'], [Math.floor((s % 86400) / 3600), 'h'], [Math.floor((s % 3600) / 60), 'm'], [s % 60, 's']];
  const shown = parts.filter(([v]) => v > 0).slice(0, 2);
  return shown.length ? shown.map(([v, u]) => `${v}${u}`).join(' ') : '0s';
}

/** ISO time as "2026-12-06 01:30:00 UTC" (the page shows UTC, as the manifests do). */
export function time(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '–';
}

/** A status word with its class ("ok", "failed", ...), never colour alone. */
export function badge(ok: boolean, text = ok ? 'ok' : 'failed'): HTMLSpanElement {
  return h('span', { class: `badge ${ok ? 'good' : 'bad'}` }, text);
}

/** A table with a caption; rows are arrays of cells. */
export function table(caption: string, head: string[], rows: HTMLTableRowElement[], attrs: Attrs = {}): HTMLTableElement {
  return h('table', attrs,
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows));
}

/** A paragraph saying why a section is empty. */
export function note(text: string): HTMLParagraphElement {
  return h('p', { class: 'note', role: 'note' }, text);
}
