import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from './config.js';
import { parseConfigText } from './config-load.js';
import { countSkip, NotLeaderError, runAsLeader, skipMetricFamily } from './run-election.js';
import { silentLogger } from '../logger.js';

const base = ['etcd:', '  endpoints: [127.0.0.1:1]', 'repository:', '  url: /tmp/kk-repo', 'backup:', '  passphraseFile: /tmp/kk-pass'];

test('schedule.election and electionTtl are read when set and absent otherwise', () => {
  const on = parseConfigText('a.yaml', [...base, 'schedule:', '  election: "off"', '  electionTtl: 10s'].join('\n'), {}).config;
  assert.equal(on.schedule.election, 'off');
  assert.equal(on.schedule.electionTtlMs, 10_000);
  const plain = parseConfigText('b.yaml', base.join('\n'), {}).config;
  assert.ok(!('election' in plain.schedule) && !('electionTtlMs' in plain.schedule));
  assert.throws(() => parseConfigText('c.yaml', [...base, 'schedule:', '  election: maybe'].join('\n'), {}), (err: unknown) => err instanceof ConfigError && err.field === 'schedule.election');
  assert.throws(() => parseConfigText('d.yaml', [...base, 'schedule:', '  electionTtl: 1s'].join('\n'), {}), ConfigError);
});

test('runAsLeader with election off runs without contacting etcd', async () => {
  const config = parseConfigText('e.yaml', [...base, 'schedule:', '  election: "off"'].join('\n'), {}).config;
  assert.equal(await runAsLeader(config, 'backup', { logger: silentLogger }, async () => 'ran'), 'ran');
});

test('countSkip counts only NotLeaderError, by job, and the metric has a zero sample before any', () => {
  const skips = new Map<string, number>();
  assert.deepEqual(skipMetricFamily(skips).samples, [{ labels: { job: 'backup', reason: 'not-leader' }, value: 0 }]);
  assert.equal(countSkip(skips, new Error('x')), false);
  assert.equal(countSkip(skips, new NotLeaderError('drill', 'node-a/1/ab')), true);
  assert.equal(countSkip(skips, new NotLeaderError('drill', 'node-a/1/ab')), true);
  assert.deepEqual(skipMetricFamily(skips).samples, [{ labels: { job: 'drill', reason: 'not-leader' }, value: 2 }]);
});
