import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deltaName } from './delta-manifest.js';
import { DEFAULT_DELTA_ORPHAN_GRACE_MS, planDeltaOrphans, planDeltaRetention } from './delta-retention.js';

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

test('planDeltaOrphans removes delta data no manifest names past the grace, keeps it within, and ignores claimed or foreign objects', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const named = `${deltaName(11, 20)}.aaaaaaaa.kkd.gz.age`;
  const old = `${deltaName(21, 30)}.bbbbbbbb.kkd.gz.age`;
  const fresh = `${deltaName(31, 33)}.cccccccc.kkd.gz.age`;
  const decisions = planDeltaOrphans([
    { name: named, sizeBytes: 1, modifiedAt: ago(7_200_000) },
    { name: old, sizeBytes: 2, modifiedAt: ago(3_600_000) },
    { name: fresh, sizeBytes: 3, modifiedAt: ago(59_000) },
    { name: 'b0.snapshot.db', sizeBytes: 4 },
  ], new Set([named]), now, DEFAULT_DELTA_ORPHAN_GRACE_MS);
  assert.deepEqual(decisions.map((d) => [d.name, d.kind, d.action, d.firstRevision, d.lastRevision]), [[old, 'orphan', 'remove', 21, 30], [fresh, 'orphan', 'keep', 31, 33]]);
  assert.match(decisions[0]?.reason ?? '', /^orphaned delta data: no manifest "delta\.0+21-0+30" names it \(older than the 1h grace/);
  assert.match(decisions[1]?.reason ?? '', /within the 1h grace: may be a segment being written/);
});
