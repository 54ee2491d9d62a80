import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstPolicySlot, parsePolicySchedule, slotBackupName, slotOfBackupName } from './policy-schedule.js';

test('parsePolicySchedule reads "@every" intervals and cron expressions, and refuses sub-second intervals', () => {
  assert.deepEqual(parsePolicySchedule('@every 6h'), { intervalMs: 6 * 3_600_000 });
  assert.deepEqual(parsePolicySchedule('@every 1m30s'), { intervalMs: 90_000 });
  const cron = parsePolicySchedule('0 */6 * * *');
  assert.ok('cron' in cron && cron.cron.hours.has(6) && !cron.cron.hours.has(5));
  assert.throws(() => parsePolicySchedule('@every 500ms'), /whole seconds, at least 1s/);
  assert.throws(() => parsePolicySchedule('@every 1.5s'), /whole seconds/);
  assert.throws(() => parsePolicySchedule('every 5 minutes'), /expected 5 fields/);
});

test('firstPolicySlot is the next point of the epoch grid, after the newest stored slot when that is later', () => {
  const every4s = { intervalMs: 4000 };
  assert.equal(firstPolicySlot(every4s, new Date('2026-12-06T01:00:01.500Z')).toISOString(), '2026-12-06T01:00:04.000Z');
  assert.equal(firstPolicySlot(every4s, new Date('2026-12-06T01:00:04.000Z')).toISOString(), '2026-12-06T01:00:04.000Z');
  // A predecessor stored the 01:00:04 slot (it ran a little early on its clock): that slot is not repeated.
  assert.equal(firstPolicySlot(every4s, new Date('2026-12-06T01:00:03.900Z'), new Date('2026-12-06T01:00:04.000Z')).toISOString(), '2026-12-06T01:00:08.000Z');
  assert.equal(firstPolicySlot(every4s, new Date('2026-12-06T01:00:09.000Z'), new Date('2026-12-06T01:00:04.000Z')).toISOString(), '2026-12-06T01:00:12.000Z');
  assert.equal(firstPolicySlot(parsePolicySchedule('30 2 * * *'), new Date('2026-12-06T01:00:00Z')).toISOString(), '2026-12-06T02:30:00.000Z');
});

test('slotBackupName and slotOfBackupName round-trip; other names have no slot', () => {
  const slot = new Date('2026-12-06T01:30:04Z');
  assert.equal(slotBackupName('prod-etcd', slot), 'prod-etcd-20261206T013004Z');
  assert.equal(slotOfBackupName('prod-etcd', 'prod-etcd-20261206T013004Z')?.toISOString(), slot.toISOString());
  assert.equal(slotOfBackupName('prod', 'prod-etcd-20261206T013004Z'), undefined);
  assert.equal(slotOfBackupName('prod-etcd', 'prod-etcd-20261206T013004123Z'), undefined, 'a `backup save` default name is not a slot');
});
