/**
 * Go's text/tabwriter, as kubeadm configures it for check-expiration (minwidth 10, padding 3,
 * spaces, left-aligned), so our table lines up exactly like kubeadm's. Cells end with a tab;
 * the text after a line's last tab is not part of any column and is printed as is. A column's
 * width is set per block of consecutive lines that have that cell, which is why an empty line
 * starts a new, independently aligned table.
 */
export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

export const KUBEADM_TABWRITER: TabwriterOptions = { minWidth: 10, padding: 3 };

/** Formats lines whose cells are separated by '\t'; returns the text with a final newline. */
export function renderTabwriter(lines: readonly string[], options: TabwriterOptions = KUBEADM_TABWRITER): string {
  const cells = lines.map((l) => l.split('\t'));
  const out: string[] = new Array<string>(lines.length);
  const widths: number[] = [];

  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const row = cells[i] as string[];
      out[i] = row.map((cell, j) => (j < widths.length && j < row.length - 1 ? cell.padEnd(widths[j] as number) : cell)).join('');
    }
  };

  // A transcription of tabwriter.format(): recurse into the block of lines sharing column `col`.
  const format = (line0: number, line1: number) => {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= (cells[i] as string[]).length - 1) continue;
      writeLines(start, i);
      start = i;
      let width = options.minWidth;
      for (; i < line1; i++) {
        const row = cells[i] as string[];
        if (column >= row.length - 1) break;
        width = Math.max(width, (row[column] as string).length + options.padding);
      }
      widths.push(width);
      format(start, i);
      widths.pop();
      start = i;
      i--; // the loop's i++ must look at line i again: it did not belong to the block
    }
    writeLines(start, line1);
  };

  format(0, cells.length);
  return out.map((l) => `${l}\n`).join('');
}
