import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memberEventText } from './member-runbook.js';

test('memberEventText prints hand-work as an indented block and the dry-run plan numbered', () => {
  assert.equal(memberEventText({ type: 'instructions', title: 'Start etcd for "m4" on its node', lines: ['a', '  etcd --name=m4'] }),
    '    Start etcd for "m4" on its node:\n      a\n        etcd --name=m4\n');
  assert.equal(memberEventText({ type: 'plan', steps: ['Check', 'Remove'] }), 'Steps (--dry-run: nothing was changed):\n  1. Check\n  2. Remove\n');
  assert.equal(memberEventText({ type: 'step-start', step: 'remove', title: 'Remove the failed member "m3"', rerun: true }), '==> Remove the failed member "m3" (again: it was interrupted)\n');
  assert.equal(memberEventText({ type: 'waiting', what: 'member "m4" to start', missing: 'not started yet' }), '    waiting for member "m4" to start: not started yet\n');
});
