import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deltaName } from './delta-manifest.js';
import { planDeltaRetention } from './delta-retention.js';

const seg = (a: number, b: number) => ({ name: deltaName(a, b), firstRevision: a, lastRevision: b });

test('planDeltaRetention keeps every segment a kept full backup needs and removes the rest with reasons', () => {
  const decisions = planDeltaRetention({ segments: [seg(11, 20), seg(21, 30), seg(31, 40), seg(31, 35)], gaps: [seg(5, 9)] }, [{ name: 'b', revision: 25 }, { name: 'c', revision: 38 }]);
  const by = Object.fromEntries(decisions.map((d) => [d.name, [d.action, d.reason]]));
  assert.equal(by[deltaName(11, 20)]?.[0], 'remove');
  assert.match(by[deltaName(11, 20)]?.[1] ?? '', /precede the oldest kept full backup "b" \(revision 25\)/);
  assert.equal(by[deltaName(21, 30)]?.[0], 'keep', 'it holds 26-30, after b');
  assert.equal(by[deltaName(31, 40)]?.[0], 'keep');
  assert.deepEqual(by[deltaName(31, 35)], ['remove', `merged into "${deltaName(31, 40)}"`]);
  assert.equal(by[deltaName(5, 9)]?.[0], 'remove');
});

test('planDeltaRetention keeps everything when no full backup is kept', () => {
  assert.ok(planDeltaRetention({ segments: [seg(1, 2)], gaps: [] }, []).every((d) => d.action === 'keep'));
});
