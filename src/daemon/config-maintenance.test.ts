import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from './config.js';
import { parseConfigText } from './config-load.js';

const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
const config = (extra = '') => parseConfigText('/etc/kubekeeper/config.yaml', `repository:\n  url: /var/backups/kk\nbackup:\n  recipients: [${RECIPIENT}]\n${extra}`, {}).config;

test('a config without a maintenance section has no maintenance (metrics and defrag stay off)', () => {
  assert.equal(config().maintenance, undefined);
});

test('the maintenance section turns on the db metrics and reads the defrag schedule and policy', () => {
  const m = config('maintenance:\n  quotaBytes: 8589934592\n  defrag:\n    enabled: true\n    cron: "30 3 * * *"\n    fragmentationThreshold: 50\n    minReclaimBytes: 0\n    healthTimeout: 2m\n').maintenance;
  assert.deepEqual(m, {
    metrics: true, quotaBytes: 8589934592,
    defrag: {
      enabled: true, cron: '30 3 * * *', healthTimeoutMs: 120_000, defragTimeoutMs: 300_000,
      policy: { fragmentationThresholdPercent: 50, minReclaimBytes: 0, quotaPressurePercent: 80, force: false },
    },
  });
  assert.deepEqual(config('maintenance:\n  metrics: false\n').maintenance?.defrag.enabled, false);
});

test('the maintenance section refuses unknown keys, a bad cron, a percentage over 100 and interval with cron', () => {
  for (const [extra, message] of [
    ['maintenance:\n  defrg: {}\n', /defrg/],
    ['maintenance:\n  defrag:\n    cron: "every day"\n', /not a cron expression/],
    ['maintenance:\n  defrag:\n    quotaPressure: 120\n', /quotaPressure/],
    ['maintenance:\n  defrag:\n    interval: 24h\n    cron: "@daily"\n', /either maintenance.defrag.interval or maintenance.defrag.cron/],
  ] as const) {
    assert.throws(() => config(extra), (err: unknown) => err instanceof ConfigError && message.test(err.message), extra);
  }
});
