import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planDeltaChain } from './delta-chain.js';
import { deltaName } from './delta-manifest.js';

const seg = (a: number, b: number) => ({ name: deltaName(a, b), firstRevision: a, lastRevision: b });

test('planDeltaChain takes contiguous segments and stops at the target', () => {
  const plan = planDeltaChain([seg(11, 20), seg(21, 30), seg(31, 40)], 11, 25);
  assert.deepEqual(plan.segments.map((s) => s.firstRevision), [11, 21]);
  assert.equal(plan.reachableRevision, 30);
  assert.equal(plan.gap, undefined);
});

test('planDeltaChain starts inside a segment that overlaps the full backup and prefers merged segments', () => {
  const plan = planDeltaChain([seg(5, 20), seg(21, 30), seg(21, 25), seg(5, 30)], 11);
  assert.deepEqual(plan.segments.map((s) => s.name), [deltaName(5, 30)]);
});

test('planDeltaChain names the gap and the latest reachable revision when a segment is missing', () => {
  const plan = planDeltaChain([seg(11, 20), seg(31, 40)], 11, 35);
  assert.equal(plan.reachableRevision, 20);
  assert.deepEqual(plan.gap, { fromRevision: 21, toRevision: 30, nextSegment: deltaName(31, 40) });
  assert.equal(planDeltaChain([seg(12, 20)], 11).reachableRevision, 10);
});
