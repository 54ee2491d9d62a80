/**
 * Line diffs: the edit script between two texts (longest common subsequence after trimming
 * the common head and tail), and its unified-diff rendering for `audit configure`'s preview.
 * Pure.
 */

export type DiffOp = { kind: 'same' | 'del' | 'add'; line: string };

/** Above this many LCS cells (middle lines of a × b) the middle is diffed as one replacement. */
const MAX_LCS_CELLS = 16_000_000;

function lcsOps(a: readonly string[], b: readonly string[]): DiffOp[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_LCS_CELLS) return [...a.map((line) => ({ kind: 'del' as const, line })), ...b.map((line) => ({ kind: 'add' as const, line }))];
  // lengths[i * (m + 1) + j] = LCS length of a[i..] and b[j..].
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const at = i * (m + 1) + j;
      lengths[at] = a[i] === b[j] ? (lengths[at + m + 2] as number) + 1 : Math.max(lengths[at + m + 1] as number, lengths[at + 1] as number);
    }
  }
  const ops: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: 'same', line: a[i++] as string });
      j++;
    } else if ((lengths[(i + 1) * (m + 1) + j] as number) >= (lengths[i * (m + 1) + j + 1] as number)) ops.push({ kind: 'del', line: a[i++] as string });
    else ops.push({ kind: 'add', line: b[j++] as string });
  }
  while (i < n) ops.push({ kind: 'del', line: a[i++] as string });
  while (j < m) ops.push({ kind: 'add', line: b[j++] as string });
  return ops;
}

/** The edit script turning lines `a` into lines `b`. */
export function diffLines(a: readonly string[], b: readonly string[]): DiffOp[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const same = (line: string): DiffOp => ({ kind: 'same', line });
  return [
    ...a.slice(0, head).map(same),
    ...lcsOps(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...a.slice(a.length - tail).map(same),
  ];
}

/** A unified diff (`diff -u` style) of two texts; empty when they are equal. */
export function unifiedDiff(before: string, after: string, fromName: string, toName: string, context = 3): string {
  if (before === after) return '';
  const ops = diffLines(before.split('\n'), after.split('\n'));
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  const changed = ops.map((op, k) => (op.kind !== 'same' ? k : -1)).filter((k) => k >= 0);
  let k = 0;
  while (k < changed.length) {
    // Grow a hunk while the next change is within 2 × context lines.
    let last = k;
    while (last + 1 < changed.length && (changed[last + 1] as number) - (changed[last] as number) <= 2 * context) last++;
    const start = Math.max(0, (changed[k] as number) - context);
    const end = Math.min(ops.length, (changed[last] as number) + context + 1);
    const aStart = ops.slice(0, start).filter((op) => op.kind !== 'add').length;
    const bStart = ops.slice(0, start).filter((op) => op.kind !== 'del').length;
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((op) => op.kind !== 'add').length;
    const bLen = hunk.filter((op) => op.kind !== 'del').length;
    out.push(`@@ -${aStart + 1},${aLen} +${bStart + 1},${bLen} @@`);
    for (const op of hunk) out.push(`${op.kind === 'same' ? ' ' : op.kind === 'del' ? '-' : '+'}${op.line}`);
    k = last + 1;
  }
  return `${out.join('\n')}\n`;
}
