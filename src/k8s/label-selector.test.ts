import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidSelectorError, matchesLabels, parseLabelSelector } from './label-selector.js';

test('parseLabelSelector accepts every operator kubectl accepts', () => {
  const reqs = parseLabelSelector('app=web,tier!=db,env in (prod, staging),!legacy,team,rank>2,app.kubernetes.io/name==x');
  assert.deepEqual(reqs.map((r) => r.operator), ['=', '!=', 'in', '!', 'exists', 'gt', '=']);
  assert.deepEqual(reqs[2]?.values, ['prod', 'staging']);
});

test('matchesLabels applies each requirement when labels are present or absent', () => {
  const reqs = parseLabelSelector('app=web,env notin (dev),!legacy');
  assert.equal(matchesLabels(reqs, { app: 'web', env: 'prod' }), true);
  assert.equal(matchesLabels(reqs, { app: 'web' }), true);
  assert.equal(matchesLabels(reqs, { app: 'web', env: 'dev' }), false);
  assert.equal(matchesLabels(reqs, { app: 'web', legacy: 'yes' }), false);
  assert.equal(matchesLabels(parseLabelSelector(''), {}), true);
});

test('parseLabelSelector throws InvalidSelectorError when the selector is malformed', () => {
  for (const bad of ['app=web,', 'app=we b', '-bad=1', 'a>x', 'Bad_Prefix/x=1']) {
    assert.throws(() => parseLabelSelector(bad), InvalidSelectorError, bad);
  }
});
