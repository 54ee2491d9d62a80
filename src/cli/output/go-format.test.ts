import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatGoDuration, goJsonObject, goJsonString, omitZero } from './go-format.js';

test('formatGoDuration prints like Go time.Duration.String for each unit range', () => {
  assert.equal(formatGoDuration(0), '0s');
  assert.equal(formatGoDuration(0.000120), '120ns');
  assert.equal(formatGoDuration(0.85), '850µs');
  assert.equal(formatGoDuration(0.0015), '1.5µs');
  assert.equal(formatGoDuration(1.553062), '1.553062ms');
  assert.equal(formatGoDuration(2), '2ms');
  assert.equal(formatGoDuration(5000.285917), '5.000285917s');
  assert.equal(formatGoDuration(62_500), '1m2.5s');
  assert.equal(formatGoDuration(3_600_000), '1h0m0s');
});

test('goJsonString escapes <, > and & as Go does', () => {
  assert.equal(goJsonString('a<b>&"c'), '"a\\u003cb\\u003e\\u0026\\"c"');
});

test('goJsonObject leaves out omitempty fields and keeps order', () => {
  assert.equal(goJsonObject([['b', '1'], ['a', undefined], ['c', '"x"']]), '{"b":1,"c":"x"}');
  assert.equal(omitZero(0n), undefined);
  assert.equal(omitZero(13668033151171901709n), '13668033151171901709');
});
