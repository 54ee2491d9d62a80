import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CronSyntaxError, cronMatchesDay, parseCron } from './cron.js';

const sorted = (s: ReadonlySet<number>) => [...s].sort((a, b) => a - b);

test('parseCron expands ranges, steps, lists and names when all forms are mixed', () => {
  const c = parseCron('*/15 1-5/2,22 1,15 jan-mar,DEC mon-fri');
  assert.deepEqual(sorted(c.minutes), [0, 15, 30, 45]);
  assert.deepEqual(sorted(c.hours), [1, 3, 5, 22]);
  assert.deepEqual(sorted(c.daysOfMonth), [1, 15]);
  assert.deepEqual(sorted(c.months), [1, 2, 3, 12]);
  assert.deepEqual(sorted(c.daysOfWeek), [1, 2, 3, 4, 5]);
});

test('parseCron reads "a/n" as from a to the end of the field when a step follows a value', () => {
  assert.deepEqual(sorted(parseCron('50/5 * * * *').minutes), [50, 55]);
  assert.deepEqual(sorted(parseCron('7 * * * *').minutes), [7]);
});

test('parseCron folds 7 into Sunday when the weekday field says 7', () => {
  assert.deepEqual(sorted(parseCron('0 0 * * 5-7').daysOfWeek), [0, 5, 6]);
});

test('parseCron expands macros when the expression starts with @', () => {
  const daily = parseCron('@daily');
  assert.deepEqual([sorted(daily.minutes), sorted(daily.hours)], [[0], [0]]);
  assert.equal(parseCron('@hourly').hours.size, 24);
  assert.deepEqual(sorted(parseCron('@weekly').daysOfWeek), [0]);
});

test('parseCron names the field and value when the expression is invalid', () => {
  const cases: [string, RegExp][] = [
    ['* * * *', /expected 5 fields .* got 4/],
    ['60 * * * *', /minute 60 is out of range 0-59/],
    ['* 24 * * *', /hour 24 is out of range 0-23/],
    ['* * 0 * *', /day of month 0 is out of range 1-31/],
    ['* * * 13 *', /month 13 is out of range 1-12/],
    ['* * * foo *', /"foo" is not a number or name in the month field/],
    ['*/0 * * * *', /step "0" in the minute field must be a positive number/],
    ['5-1 * * * *', /minute range "5-1" runs backwards/],
    ['1,,2 * * * *', /"" is not a valid minute item/],
    ['1-2-3 * * * *', /"1-2-3" is not a valid minute range/],
    ['0 0 30 2 *', /never run/],
    ['@reboot', /unknown macro "@reboot"/],
  ];
  for (const [expr, message] of cases) {
    assert.throws(() => parseCron(expr), (err: unknown) => err instanceof CronSyntaxError && message.test(err.message) && err.expression === expr, expr);
  }
});

test('cronMatchesDay matches either day field when both are restricted (Vixie cron)', () => {
  const c = parseCron('0 0 1 * mon');
  assert.equal(cronMatchesDay(c, new Date('2024-06-01T00:00:00Z')), true, 'the 1st, a Saturday');
  assert.equal(cronMatchesDay(c, new Date('2024-06-03T00:00:00Z')), true, 'a Monday');
  assert.equal(cronMatchesDay(c, new Date('2024-06-04T00:00:00Z')), false);
});

test('cronMatchesDay needs both day fields when one starts with * (Vixie cron)', () => {
  const c = parseCron('0 0 */2 * mon');
  assert.equal(cronMatchesDay(c, new Date('2024-06-03T00:00:00Z')), true, 'Monday the 3rd');
  assert.equal(cronMatchesDay(c, new Date('2024-06-10T00:00:00Z')), false, 'Monday the 10th');
  assert.equal(cronMatchesDay(c, new Date('2024-06-05T00:00:00Z')), false, 'Wednesday the 5th');
});
