/**
 * The daemon with `schedule.election: on` while another node (this test, through the same
 * election primitive) holds the backup and drill keys: every slot is skipped and counted in
 * kubekeeper_schedule_skipped_total, no backup is taken and nothing counts as a failure; once
 * the other node resigns the backup key, the daemon's next slot runs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type KubekeeperConfig, runDaemon } from '../../src/daemon/index.js';
import { campaign, connectEtcd, type EtcdClient } from '../../src/etcd/index.js';
import { createJsonLogger } from '../../src/logger.js';
import { type EtcdProcess, etcdctlOk, startEtcd } from '../support/etcd.js';
import { sample, until } from '../support/poll.js';

let etcd: EtcdProcess;
let dir: string;
let keyFile: string;
let recipient: string;
let other: EtcdClient;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-election-daemon-'));
  keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  etcd = await startEtcd();
  await etcdctlOk(etcd, ['put', '/registry/configmaps/default/cm-0', 'v']);
  other = await connectEtcd({ endpoints: [etcd.clientUrl], dialTimeoutMs: 1000, commandTimeoutMs: 5000 });
});
after(async () => {
  other?.close();
  await etcd?.stop();
  await rm(dir, { recursive: true, force: true });
});

const config = (): KubekeeperConfig => ({
  source: { path: 'election.yaml', format: 'kubekeeper' },
  etcd: { endpoints: [etcd.clientUrl], dialTimeoutMs: 1000, commandTimeoutMs: 5000 },
  repository: { url: path.join(dir, 'repo') },
  backup: { namePrefix: 'el', compression: 'gzip', recipients: [recipient], include: [], timeoutMs: 60_000 },
  schedule: { intervalMs: 1000, jitterMs: 0, election: 'on', electionTtlMs: 5000 },
  retention: {},
  drill: { enabled: true, intervalMs: 1000, identityFiles: [keyFile], expectKeys: [], etcdBinary: 'etcd', timeoutMs: 60_000 },
  metrics: { listen: '127.0.0.1:0', staleAfterMs: 60_000 },
  lockFile: path.join(dir, 'daemon.lock'),
});

test('daemon skips slots held by another node, counts them, and runs once the key is free', async () => {
  const backupKey = await campaign(other, { job: 'backup', identity: 'other-node/1/x' });
  const drillKey = await campaign(other, { job: 'drill', identity: 'other-node/1/y' });
  assert.ok(backupKey.won && drillKey.won);
  const controller = new AbortController();
  const events: { event: string; [k: string]: unknown }[] = [];
  let port = 0;
  const done = runDaemon(config(), {
    signal: controller.signal, logger: createJsonLogger((l) => events.push(JSON.parse(l) as { event: string })), onListening: (a) => (port = a.port),
  });
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  try {
    await until('the metrics server', async () => (port ? true : undefined));
    const page = await until('two skipped backups and a skipped drill', async () => {
      const text = await metrics();
      return (sample(text, 'kubekeeper_schedule_skipped_total{job="backup",reason="not-leader"}') ?? 0) >= 2
        && (sample(text, 'kubekeeper_schedule_skipped_total{job="drill",reason="not-leader"}') ?? 0) >= 1 ? text : undefined;
    });
    assert.equal(sample(page, 'kubekeeper_backup_successes_total'), 0);
    assert.ok(!/^kubekeeper_backup_failures_total\{/m.test(page), 'a skip was counted as a failure');
    assert.equal(sample(page, 'kubekeeper_drill_last_timestamp_seconds'), 0);
    const skipped = events.find((e) => e.event === 'backup.skipped');
    assert.equal(skipped?.holder, 'other-node/1/x');
    assert.ok(!events.some((e) => e.event === 'lock.acquired' || e.event === 'backup.run.failed'), 'a skipped slot took the lock or failed');
    await backupKey.leadership.resign();
    await until('a backup after the other node resigned', async () => ((sample(await metrics(), 'kubekeeper_backup_successes_total') ?? 0) >= 1 ? true : undefined));
    assert.ok(events.some((e) => e.event === 'election.won' && e.job === 'backup'));
  } finally {
    controller.abort();
    await done;
    await drillKey.leadership.resign();
  }
});
