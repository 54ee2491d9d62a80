/**
 * The daemon's `maintenance:` section against a real 3-member etcd 3.6 cluster: /metrics
 * serves per-member db gauges (size, in use, fragmentation, quota reported by the member,
 * leader), and the scheduled defrag (here every 2 s; the config file's minimum is a minute, so
 * the config object is built here) defragments the fragmented members, which the gauges and
 * the run counter then show. Backups are a stub: this is about the maintenance loop.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { type KubekeeperConfig, runDaemon } from '../../src/daemon/index.js';
import { DEFAULT_DEFRAG_POLICY } from '../../src/maintenance/index.js';
import { openEtcdClient } from '../../src/etcd/index.js';
import type { Logger } from '../../src/logger.js';
import { etcdctlOk } from '../support/etcd.js';
import { startEtcdCluster } from '../support/etcd-test-cluster.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { sample, until } from '../support/poll.js';

const { peer, missing } = findEtcd(pinnedVersions.ETCD_36 as string);

test('daemon maintenance: per-member db gauges on /metrics and a scheduled need-based defrag (etcd 3.6, 3 members)', { skip: missing, timeout: 180_000 }, async (t: TestContext) => {
  const cluster = await startEtcdCluster({ binDir: peer?.binDir as string });
  t.after(() => cluster.stop());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kk-maint-daemon-'));
  t.after(() => rm(dir, { recursive: true, force: true }));

  // Fragment every member: ~16 MiB written, deleted, compacted.
  const first = cluster.members[0]?.clientUrl as string;
  const client = await openEtcdClient({ endpoints: [first], dialTimeoutMs: 2000, commandTimeoutMs: 30_000 }, first);
  t.after(() => client.close());
  for (let i = 0; i < 256; i++) await client.put(`/frag/${i}`, Buffer.alloc(64 * 1024, 'f'));
  const { revision } = await client.deleteRange('/frag/', '/frag0');
  await etcdctlOk(cluster, ['compaction', '--physical', String(revision)]);

  const events: string[] = [];
  const logger: Logger = { log: (_level: string, event: string) => void events.push(event) } as unknown as Logger;
  const config: KubekeeperConfig = {
    source: { path: 'maint.yaml', format: 'kubekeeper' },
    etcd: { endpoints: cluster.members.map((m) => m.clientUrl), dialTimeoutMs: 2000, commandTimeoutMs: 5000 },
    repository: { url: path.join(dir, 'repo') },
    backup: { namePrefix: 'maint', compression: 'gzip', recipients: [], include: [], timeoutMs: 60_000 },
    schedule: { intervalMs: 3_600_000, jitterMs: 0 },
    retention: { keepLast: 1 },
    drill: { enabled: false, identityFiles: [], expectKeys: [], etcdBinary: 'etcd', timeoutMs: 60_000 },
    metrics: { listen: '127.0.0.1:0', staleAfterMs: 3_600_000 },
    lockFile: path.join(dir, 'lock'),
    maintenance: {
      metrics: true, quotaBytes: 2 * 1024 ** 3,
      defrag: { enabled: true, intervalMs: 2000, policy: { ...DEFAULT_DEFRAG_POLICY, minReclaimBytes: 0 }, healthTimeoutMs: 60_000, defragTimeoutMs: 60_000 },
    },
  };
  const stop = new AbortController();
  let port = 0;
  const daemon = runDaemon(config, {
    signal: stop.signal, logger, onListening: (a) => (port = a.port),
    runBackup: async () => ({ backupName: 'stub', bytes: 0, snapshotBytes: 0, durationMs: 0, pruned: [], kept: 0 }),
  });
  t.after(async () => {
    stop.abort();
    await daemon;
  });
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  await until('the metrics server', () => (port === 0 ? undefined : port));

  const labelsOf = (m: (typeof cluster.members)[number]) => `{member="${m.name}",endpoint="${m.clientUrl}"}`;
  const before = await metrics();
  assert.equal(sample(before, 'kubekeeper_etcd_members_reachable'), 3);
  for (const m of cluster.members) {
    assert.equal(sample(before, `kubekeeper_etcd_db_quota_bytes${labelsOf(m)}`), 2 * 1024 ** 3, 'the quota etcd 3.6 reports');
    assert.ok((sample(before, `kubekeeper_etcd_db_size_bytes${labelsOf(m)}`) ?? 0) > 16 * 1024 ** 2);
  }
  assert.match(before, /# TYPE kubekeeper_etcd_db_fragmentation_ratio gauge/);
  assert.equal(cluster.members.map((m) => sample(before, `kubekeeper_etcd_is_leader${labelsOf(m)}`)).reduce((a, b) => (a ?? 0) + (b ?? 0), 0), 1);

  const after = await until('a scheduled defrag run', async () => {
    await client.put('/tick', 'x');
    const text = await metrics();
    return (sample(text, 'kubekeeper_defrag_runs_total{result="ok"}') ?? 0) >= 1 ? text : undefined;
  });
  assert.equal(sample(after, 'kubekeeper_defrag_runs_total{result="failed"}'), 0, events.join(','));
  assert.ok((sample(after, 'kubekeeper_defrag_last_success_timestamp_seconds') ?? 0) > 0);
  for (const m of cluster.members) {
    assert.ok((sample(after, `kubekeeper_etcd_db_size_bytes${labelsOf(m)}`) ?? Infinity) < (sample(before, `kubekeeper_etcd_db_size_bytes${labelsOf(m)}`) ?? 0), `${m.name} shrank`);
  }
  assert.ok(events.includes('defrag.move-leader'), events.join(','));
});
