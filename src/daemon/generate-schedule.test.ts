import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCron } from './config-cron.js';
import { cronForInterval, systemdCalendar } from './generate-schedule.js';

test('cronForInterval translates intervals that divide an hour, day or week and refuses others', () => {
  const h = 3_600_000;
  assert.equal(cronForInterval(15 * 60_000), '*/15 * * * *');
  assert.equal(cronForInterval(h), '0 * * * *');
  assert.equal(cronForInterval(6 * h), '0 */6 * * *');
  assert.equal(cronForInterval(24 * h), '0 0 * * *');
  assert.equal(cronForInterval(7 * 24 * h), '0 0 * * 0');
  assert.equal(cronForInterval(5 * h), undefined);
  assert.equal(cronForInterval(90_500), undefined);
});

test('systemdCalendar writes cron fields as OnCalendar when day-of-month or weekday is free', () => {
  assert.equal(systemdCalendar('0 */6 * * *'), '*-*-* 00,06,12,18:00:00');
  assert.equal(systemdCalendar('30 3 * * 0'), 'Sun *-*-* 03:30:00');
  assert.equal(systemdCalendar('15 2 1 jan,jul *'), '*-01,07-01 02:15:00');
  assert.equal(systemdCalendar('0 1 * * mon-fri'), 'Mon,Tue,Wed,Thu,Fri *-*-* 01:00:00');
  assert.throws(() => systemdCalendar('0 0 1 * 1'), /systemd cannot combine/);
});

test('parseCron reads names, steps, ranges and macros, and names the bad field when invalid', () => {
  assert.deepEqual(parseCron('*/20 8-10 * * 7').minute.values, [0, 20, 40]);
  assert.deepEqual(parseCron('*/20 8-10 * * 7').dayOfWeek.values, [0]);
  assert.equal(parseCron('@daily').hour.text, '0');
  assert.throws(() => parseCron('0 24 * * *'), /hour field: 24 is outside 0-23/);
  assert.throws(() => parseCron('0 0 * *'), /expected 5 fields/);
  assert.throws(() => parseCron('0 0 5-1 * *'), /dayOfMonth field: range "5-1" goes backwards/);
});
