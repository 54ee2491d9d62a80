/**
 * Issue 20, items 1 and 4: the daemon's `deltas` section streams against a real etcd 3.6 with
 * the metrics the issue names (recovery-point lag in seconds and revisions, segments written,
 * gaps, stream restarts), /healthz healthy while the stream keeps up and 503 once the recovery
 * point lags past deltas.maxLag (etcd stopped under it); and the config file section parses.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { listDeltas, openBackupRepository } from '../../src/backup/index.js';
import { type KubekeeperConfig, runDaemon } from '../../src/daemon/index.js';
import { createJsonLogger } from '../../src/logger.js';
import { runKubekeeper } from '../support/cli.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { pitrDaemonConfig } from '../support/pitr-daemon.js';
import { startPitr } from '../support/pitr-setup.js';
import { sample, until } from '../support/poll.js';
import { tempDir } from '../support/temp.js';

const peer = findEtcd(pinnedVersions.ETCD_36 as string);

test('daemon deltas: segments and recovery-point metrics move with the workload, /healthz turns 503 when the recovery point lags past maxLag', { timeout: 240_000, skip: peer.missing }, async (t) => {
  // No full backup: the streamer has the daemon take the first one.
  const { dir, recipient, repoDir, etcd, workload } = await startPitr(t, { prefix: 'kk-pitr-daemon-', binDir: peer.peer?.binDir, seed: 3, operations: 20, fullBackup: false });
  const config: KubekeeperConfig = {
    ...pitrDaemonConfig({ dir, repoDir, endpoint: etcd.clientUrl, recipients: [recipient], deltas: { enabled: true, flushIntervalMs: 300, flushBytes: 1024 * 1024, maxLagMs: 3000, electionTtlMs: 3000 } }),
    source: { path: 'deltas.yaml', format: 'kubekeeper' },
    retention: { keepLast: 3 },
    metrics: { listen: '127.0.0.1:0', staleAfterMs: 3_600_000 },
  };
  const controller = new AbortController();
  const lines: string[] = [];
  let port = 0;
  const done = runDaemon(config, { signal: controller.signal, logger: createJsonLogger((l) => lines.push(l)), onListening: (a) => (port = a.port) });
  t.after(() => controller.abort());
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  await until('the metrics server', () => (port ? true : undefined));
  // The repository has no full backup: the streamer takes one first, through the daemon's backup run.
  const revs = await until('the streamer leading', async () => (sample(await metrics(), 'kubekeeper_delta_leader') === 1 ? workload.run(80) : undefined), 60_000);
  const last = revs[revs.length - 1] as number;
  const page = await until(`recovery point at ${last}`, async () => {
    const text = await metrics();
    return (sample(text, 'kubekeeper_delta_recovery_point_revision') ?? 0) >= last ? text : undefined;
  });
  assert.ok((sample(page, 'kubekeeper_delta_segments_written_total') ?? 0) >= 1);
  assert.equal(sample(page, 'kubekeeper_delta_gaps_total'), 0);
  assert.match(page, /^# TYPE kubekeeper_delta_recovery_point_lag_seconds gauge$/m);
  assert.match(page, /^# TYPE kubekeeper_delta_stream_restarts_total counter$/m);
  const healthy = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(healthy.status, 200, await healthy.text());
  const repo = await openBackupRepository(repoDir);
  t.after(() => repo.backend.close());
  assert.ok((await repo.listBackups()).backups.length >= 1, 'the full backup the stream started from');
  assert.ok((await listDeltas(repo)).segments.some((s) => s.lastRevision >= last));

  // etcd dies: the stream restarts, the recovery point stops, and past maxLag /healthz says so.
  etcd.kill('SIGKILL');
  await until('/healthz 503', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    const body = await r.text();
    return r.status === 503 && /delta stream: failing for \d+s|lags \d+s/.test(body) ? body : undefined;
  }, 60_000);
  assert.ok((sample(await metrics(), 'kubekeeper_delta_stream_restarts_total') ?? 0) >= 1);
  controller.abort();
  await done;
  assert.ok(lines.some((l) => l.includes('"event":"delta.segment.written"')));
});

test('config check accepts the deltas section and refuses an unknown key in it', async (t) => {
  const dir = await tempDir(t, 'kk-pitr-config-');
  const base = ['etcd:', '  endpoints: [127.0.0.1:2379]', 'repository:', `  url: ${dir}/repo`, 'backup:', '  recipients: [age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq]'];
  const good = path.join(dir, 'good.yaml');
  await writeFile(good, [...base, 'deltas:', '  enabled: true', '  flushInterval: 5s', '  flushSizeMiB: 16', '  maxLag: 2m', `  mergeIdentityFiles: [${dir}/key.txt]`, ''].join('\n'));
  const ok = await runKubekeeper(['config', 'check', '--config', good, '-w', 'json']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.deepEqual((JSON.parse(ok.stdout) as { deltas: unknown }).deltas, { enabled: true, flushInterval: '5s', watchPoll: '1s', flushSizeMiB: 16, maxLag: '2m', mergeIdentityFiles: [`${dir}/key.txt`] });
  const bad = path.join(dir, 'bad.yaml');
  await writeFile(bad, [...base, 'deltas:', '  flushEvery: 5s', ''].join('\n'));
  const refused = await runKubekeeper(['config', 'check', '--config', bad]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /deltas/);
});
