/**
 * Tables drawn like etcdctl's (olekukonko/tablewriter as etcdctl configures it): upper-case
 * headers centred, cells right-aligned by default, one space of padding, +---+ borders.
 * Column width = the longest header or cell, in characters.
 */
export type Align = 'left' | 'right';

export interface TableOptions {
  align?: Align;
}

function centre(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return ' '.repeat(left) + text + ' '.repeat(width - text.length - left);
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const align = options.align ?? 'right';
  const titles = headers.map((h) => h.toUpperCase());
  const widths = titles.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const border = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: readonly string[], fmt: (cell: string, width: number) => string) =>
    `|${widths.map((w, i) => ` ${fmt(cells[i] ?? '', w)} `).join('|')}|`;
  const cell = (text: string, width: number) => (align === 'right' ? text.padStart(width) : text.padEnd(width));
  const out = [border, line(titles, centre), border, ...rows.map((r) => line(r, cell)), border];
  return `${out.join('\n')}\n`;
}
