import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lifecycleCheck } from './lifecycle-rules.js';

test('lifecycleCheck fails when an enabled rule expires objects under the repository folder', () => {
  const row = lifecycleCheck([{ ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'prod/' }, Expiration: { Days: 7 } }], 'prod/etcd');
  assert.equal(row.status, 'fail');
  assert.match(row.detail, /rule "tmp" \(prefix "prod\/"\) expires objects after 7 days/);
});

test('lifecycleCheck passes when the expiring rule covers another folder, is disabled, or only aborts uploads', () => {
  assert.equal(lifecycleCheck([{ ID: 'x', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 1 } }], 'prod').status, 'ok');
  assert.equal(lifecycleCheck([{ ID: 'x', Status: 'Disabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }], 'prod').status, 'ok');
  const abort = lifecycleCheck([{ ID: 'mpu', Status: 'Enabled', Filter: { Prefix: 'prod/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } }], 'prod');
  assert.equal(abort.status, 'ok');
  assert.match(abort.detail, /"mpu" aborts unfinished uploads after 2 days/);
  assert.equal(lifecycleCheck(undefined, '').status, 'ok');
});

test('lifecycleCheck treats a bucket-wide rule and a rule on a deeper prefix as applying', () => {
  assert.equal(lifecycleCheck([{ Status: 'Enabled', Filter: {}, Expiration: { Days: 30 } }], 'prod').status, 'fail');
  assert.equal(lifecycleCheck([{ Status: 'Enabled', Filter: { Prefix: 'prod/data/' }, Expiration: { Date: '2027-01-01T00:00:00Z' } }], 'prod').status, 'fail');
});
