import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCron } from './cron.js';
import { checkSchedule, firstPlannedRun, nextCronTime, nextPlannedRun, nextPlannedRunAfter, nextRun } from './next-run.js';

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

test('nextCronTime returns the next matching minute strictly after the reference when cron is given', () => {
  const cases: [string, string, string][] = [
    ['*/15 * * * *', '2024-06-01T10:00:00.000Z', '2024-06-01T10:15:00.000Z'],
    ['*/15 * * * *', '2024-06-01T10:14:59.999Z', '2024-06-01T10:15:00.000Z'],
    ['0 3 * * *', '2024-06-01T03:00:30.000Z', '2024-06-02T03:00:00.000Z'],
    ['30 2 * * sun', '2024-06-01T12:00:00.000Z', '2024-06-02T02:30:00.000Z'],
    ['0 0 1 * *', '2024-12-15T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['0 0 29 2 *', '2025-03-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['0 0 31 * *', '2024-04-01T00:00:00.000Z', '2024-05-31T00:00:00.000Z'],
    ['0 0 1 * mon', '2024-06-01T00:00:00.000Z', '2024-06-03T00:00:00.000Z'],
    ['59 23 31 12 *', '2024-01-01T00:00:00.000Z', '2024-12-31T23:59:00.000Z'],
  ];
  for (const [expr, after, expected] of cases) assert.equal(iso(nextCronTime(parseCron(expr), at(after))), expected, `${expr} after ${after}`);
});

test('nextCronTime throws a RangeError when no time matches within the search window', () => {
  // parseCron refuses "30 feb"; built by hand to check the loop ends instead of spinning.
  assert.throws(() => nextCronTime({ ...parseCron('0 0 29 2 *'), daysOfMonth: new Set([30]) }, at('2024-01-01T00:00:00Z')), RangeError);
});

test('nextPlannedRun adds the interval to the previous planned time when an interval is given', () => {
  assert.equal(iso(nextPlannedRun({ intervalMs: 6 * 3_600_000 }, at('2024-06-01T10:00:00Z'))), '2024-06-01T16:00:00.000Z');
});

test('nextRun adds random() * jitterMs to the planned time when jitter is set', () => {
  const schedule = { intervalMs: 60_000 };
  assert.equal(iso(nextRun(schedule, at('2024-06-01T10:00:00Z'), 10_000, () => 0)), '2024-06-01T10:01:00.000Z');
  assert.equal(iso(nextRun(schedule, at('2024-06-01T10:00:00Z'), 10_000, () => 0.5)), '2024-06-01T10:01:05.000Z');
  assert.equal(iso(nextRun(schedule, at('2024-06-01T10:00:00Z'), 10_000, () => 0.99999)), '2024-06-01T10:01:09.999Z');
  assert.equal(iso(nextRun({ cron: parseCron('@hourly') }, at('2024-06-01T10:00:00Z'), 0, () => 0.7)), '2024-06-01T11:00:00.000Z');
});

test('checkSchedule names the field when an interval or jitter is unusable', () => {
  assert.throws(() => checkSchedule({ intervalMs: 10 }, 0), /intervalMs must be an integer of at least 1000, got 10/);
  assert.throws(() => checkSchedule({ intervalMs: 5000 }, -1), /jitterMs must be a non-negative integer, got -1/);
  assert.doesNotThrow(() => checkSchedule({ intervalMs: 5000 }, 0));
});

test('nextPlannedRunAfter skips the runs missed while a run was long when an interval is given', () => {
  const every = { intervalMs: 60_000 };
  assert.equal(iso(nextPlannedRunAfter(every, at('2024-06-01T10:00:00Z'), at('2024-06-01T10:00:20Z'))), '2024-06-01T10:01:00.000Z');
  assert.equal(iso(nextPlannedRunAfter(every, at('2024-06-01T10:00:00Z'), at('2024-06-01T10:03:20Z'))), '2024-06-01T10:04:00.000Z');
  const hourly = { cron: parseCron('@hourly') };
  assert.equal(iso(nextPlannedRunAfter(hourly, at('2024-06-01T10:00:00Z'), at('2024-06-01T12:30:00Z'))), '2024-06-01T13:00:00.000Z');
});

test('firstPlannedRun runs at once when the newest backup is overdue or missing, else one interval after it', () => {
  const every = { intervalMs: 3_600_000 };
  const now = at('2024-06-01T10:00:00Z');
  assert.equal(iso(firstPlannedRun(every, now)), '2024-06-01T10:00:00.000Z');
  assert.equal(iso(firstPlannedRun(every, now, at('2024-06-01T08:00:00Z'))), '2024-06-01T10:00:00.000Z');
  assert.equal(iso(firstPlannedRun(every, now, at('2024-06-01T09:30:00Z'))), '2024-06-01T10:30:00.000Z');
  assert.equal(iso(firstPlannedRun({ cron: parseCron('0 */6 * * *') }, now, at('2024-05-01T00:00:00Z'))), '2024-06-01T12:00:00.000Z');
});

test('firstPlannedRun ignores a newest backup dated after now, so a forged manifest cannot push the schedule out', () => {
  const now = new Date('2024-06-01T10:00:00Z');
  assert.equal(firstPlannedRun({ intervalMs: 6 * 3_600_000 }, now, new Date('2999-01-01T00:00:00Z')).toISOString(), '2024-06-01T10:00:00.000Z');
});
