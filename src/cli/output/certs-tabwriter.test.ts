import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTabwriter } from './certs-tabwriter.js';

test('renderTabwriter pads every tab-terminated cell to its column width plus 3, at least 10', () => {
  const text = renderTabwriter(['A\tBB\tlast', 'CCCCCCCCCCCC\tD\tx']);
  // column 0: 12 + 3 = 15; column 1: max(2 + 3, 10) = 10
  assert.equal(text, `${'A'.padEnd(15)}${'BB'.padEnd(10)}last\n${'CCCCCCCCCCCC'.padEnd(15)}${'D'.padEnd(10)}x\n`);
});

test('renderTabwriter aligns blocks separated by an empty line independently', () => {
  const text = renderTabwriter(['a-very-long-name-here\tx', '', 'b\ty']);
  assert.deepEqual(text.split('\n').slice(0, 3), [`${'a-very-long-name-here'.padEnd(24)}x`, '', `${'b'.padEnd(10)}y`]);
});

test('renderTabwriter leaves the unterminated last cell unpadded and keeps its own spaces', () => {
  assert.equal(renderTabwriter(['n\tno      ']), `${'n'.padEnd(10)}no      \n`);
});

test('renderTabwriter counts a line whose cells are all empty in the column widths (kubeadm !MISSING! rows)', () => {
  const text = renderTabwriter(['NAME\tX\tY', '!MISSING! super-admin.conf\t\t', 'a\tb\tc']);
  const [head, missing, row] = text.split('\n');
  assert.equal(head, `${'NAME'.padEnd(29)}${'X'.padEnd(10)}Y`);
  assert.equal(missing, `${'!MISSING! super-admin.conf'.padEnd(29)}${''.padEnd(10)}`);
  assert.equal(row, `${'a'.padEnd(29)}${'b'.padEnd(10)}c`);
});
