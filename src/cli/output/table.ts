/**
 * Tables drawn like etcdctl's (olekukonko/tablewriter as etcdctl configures it): upper-case
 * headers centred, cells right-aligned by default, one space of padding, +---+ borders.
 * Column width = the longest header or cell, in characters.
 */
export type Align = 'left' | 'right';

export interface TableOptions {
  align?: Align;
  /**
   * Border characters: 'ascii' (+---+, tablewriter 0.x as etcdctl/etcdutl up to 3.6 use it) or
   * 'box' (┌─┬─┐, tablewriter 1.x's default, as etcdutl 3.7 uses it). Default 'ascii'.
   */
  border?: 'ascii' | 'box';
}

const BORDERS = {
  ascii: { top: ['+', '+', '+'], mid: ['+', '+', '+'], bottom: ['+', '+', '+'], line: '-', bar: '|' },
  box: { top: ['┌', '┬', '┐'], mid: ['├', '┼', '┤'], bottom: ['└', '┴', '┘'], line: '─', bar: '│' },
} as const;

function centre(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return ' '.repeat(left) + text + ' '.repeat(width - text.length - left);
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const align = options.align ?? 'right';
  const titles = headers.map((h) => h.toUpperCase());
  const widths = titles.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const b = BORDERS[options.border ?? 'ascii'];
  const rule = ([left, join, right]: readonly string[]) => `${left}${widths.map((w) => b.line.repeat(w + 2)).join(join)}${right}`;
  const line = (cells: readonly string[], fmt: (cell: string, width: number) => string) =>
    `${b.bar}${widths.map((w, i) => ` ${fmt(cells[i] ?? '', w)} `).join(b.bar)}${b.bar}`;
  const cell = (text: string, width: number) => (align === 'right' ? text.padStart(width) : text.padEnd(width));
  const out = [rule(b.top), line(titles, centre), rule(b.mid), ...rows.map((r) => line(r, cell)), rule(b.bottom)];
  return `${out.join('\n')}\n`;
}
