import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conditionMessage, setCondition } from './conditions.js';

test('setCondition keeps lastTransitionTime while the status stays, and moves it when the status changes', () => {
  const t1 = new Date('2026-12-06T01:00:00.123Z');
  const t2 = new Date('2026-12-06T02:00:00Z');
  const t3 = new Date('2026-12-06T03:00:00Z');
  let c = setCondition(undefined, { type: 'Ready', status: 'True', reason: 'Scheduled', message: 'a' }, t1);
  c = setCondition(c, { type: 'LastBackupSucceeded', status: 'True', reason: 'BackupSucceeded', message: 'b' }, t1);
  c = setCondition(c, { type: 'Ready', status: 'True', reason: 'Scheduled', message: 'again' }, t2);
  assert.deepEqual(c.map((x) => [x.type, x.message, x.lastTransitionTime]), [['Ready', 'again', '2026-12-06T01:00:00Z'], ['LastBackupSucceeded', 'b', '2026-12-06T01:00:00Z']]);
  c = setCondition(c, { type: 'LastBackupSucceeded', status: 'False', reason: 'BackupFailed', message: 'x' }, t3);
  assert.equal(c[1]?.lastTransitionTime, '2026-12-06T03:00:00Z');
  assert.equal(c.length, 2);
});

test('conditionMessage bounds long messages to 1024 characters', () => {
  assert.equal(conditionMessage('x'.repeat(5000)).length, 1024);
  assert.equal(conditionMessage('short'), 'short');
});
