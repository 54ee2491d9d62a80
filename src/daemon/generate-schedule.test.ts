import assert from 'node:assert/strict';
import { test } from 'node:test';
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
