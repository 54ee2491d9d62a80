import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatExpires, formatResidualTime, parseResidualTime } from './residual-time.js';

const S = 1000;
const DAY = 86_400 * S;

test('formatResidualTime matches ShortHumanDuration at every unit boundary', () => {
  const cases: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-1999, '0s'], // int(-1.999) == -1 in Go: still within the 1 s tolerance
    [-1 * S, '0s'],
    [0, '0s'],
    [59 * S, '59s'],
    [60 * S, '1m'],
    [59 * 60 * S, '59m'],
    [23 * 3600 * S, '23h'],
    [24 * 3600 * S, '1d'],
    [364 * DAY, '364d'],
    [365 * DAY, '1y'],
    [10 * 365 * DAY, '10y'],
    [3652 * DAY, '10y'],
  ];
  for (const [ms, text] of cases) assert.equal(formatResidualTime(ms), text, `${ms} ms`);
});

test('parseResidualTime reads both ShortHumanDuration and HumanDuration renderings', () => {
  assert.equal(parseResidualTime('364d'), 364 * 86_400);
  assert.equal(parseResidualTime('9y'), 9 * 365 * 86_400);
  assert.equal(parseResidualTime('6y362d'), (6 * 365 + 362) * 86_400);
  assert.equal(parseResidualTime('2d5h'), 2 * 86_400 + 5 * 3600);
  assert.equal(parseResidualTime('3m20s'), 200);
  assert.equal(parseResidualTime('0s'), 0);
  assert.equal(parseResidualTime('<invalid>'), -Infinity);
});

test('parseResidualTime returns undefined when the text is not a duration', () => {
  for (const text of ['', 'soon', '5x', '5d ', '1y2', 'd5']) assert.equal(parseResidualTime(text), text.trim() === '5d' ? 5 * 86_400 : undefined, text);
});

test('formatResidualTime output parses back to the same unit', () => {
  for (const ms of [59 * S, 3600 * S, 40 * DAY, 800 * DAY]) {
    const text = formatResidualTime(ms);
    assert.equal(formatResidualTime((parseResidualTime(text) as number) * 1000), text);
  }
});

test('formatExpires renders the Go layout "Jan 02, 2006 15:04 MST" in UTC', () => {
  assert.equal(formatExpires(new Date('2020-12-30T23:36:59Z')), 'Dec 30, 2020 23:36 UTC');
  assert.equal(formatExpires(new Date('2029-01-02T03:04:00+02:00')), 'Jan 02, 2029 01:04 UTC');
});
