/**
 * The daemon's schedule against a real etcd and a local repository:
 * - a manifest dated in 2999 (forged, or written by a host with a wrong clock) does not move
 *   the next backup: the daemon backs up at once, /healthz is not OK and names it, the metric
 *   counts it, and `backup list` reports it as "future", never as latest;
 * - a failed scheduled run (etcd down) is retried with backoff within its slot, and the
 *   retry is visible in the metrics, instead of waiting for the next slot.
 * Waits poll a condition with a deadline; no test sleeps blindly.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { minimalDb } from '../fixtures/snapshot/minimal-db.js';
import { openBackupRepository, saveBackup } from '../../src/backup/index.js';
import { fakeSnapshotSource, withTrailer } from '../../src/backup/backup-fakes.js';
import { type KubekeeperConfig, runDaemon } from '../../src/daemon/index.js';
import { createJsonLogger } from '../../src/logger.js';
import { runKubekeeper } from '../support/cli.js';
import { type EtcdProcess, etcdctlOk, freePort, startEtcd } from '../support/etcd.js';
import { sample, until } from '../support/poll.js';

let dir: string;
let keyFile: string;
let recipient: string;
const started: EtcdProcess[] = [];

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-daemon-schedule-'));
  keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
});
after(async () => {
  await Promise.all(started.map((e) => e.stop()));
  await rm(dir, { recursive: true, force: true });
});

function config(name: string, endpoint: string): KubekeeperConfig {
  return {
    source: { path: `${name}.yaml`, format: 'kubekeeper' },
    etcd: { endpoints: [endpoint], dialTimeoutMs: 1000, commandTimeoutMs: 5000 },
    repository: { url: path.join(dir, `${name}-repo`) },
    backup: { namePrefix: name, compression: 'gzip', recipients: [recipient], include: [], timeoutMs: 60_000 },
    schedule: { intervalMs: 6 * 3_600_000, jitterMs: 0 },
    retention: { keepLast: 3 },
    drill: { enabled: false, identityFiles: [keyFile], expectKeys: [], etcdBinary: 'etcd', timeoutMs: 60_000 },
    metrics: { listen: '127.0.0.1:0', staleAfterMs: 24 * 3_600_000 },
    lockFile: path.join(dir, `${name}.lock`),
  };
}

test('daemon backs up on its own clock when the repository holds a manifest dated 2999, and reports it as unhealthy', async () => {
  const etcd = await startEtcd();
  started.push(etcd);
  await etcdctlOk(etcd, ['put', '/registry/configmaps/default/a', 'v']);
  const cfg = config('future', etcd.clientUrl);
  const repo = await openBackupRepository(cfg.repository.url);
  await saveBackup(repo, fakeSnapshotSource(withTrailer(minimalDb())), { recipients: [], allowUnencrypted: true, compression: 'none', name: 'forged', now: () => new Date('2999-01-01T00:00:00Z') });
  const controller = new AbortController();
  const lines: string[] = [];
  let port = 0;
  const done = runDaemon(cfg, { signal: controller.signal, logger: createJsonLogger((l) => lines.push(l)), onListening: (a) => (port = a.port) });
  try {
    // The metrics, not the log line: the run is recorded after it logs backup.run.done.
    const page = await until('a backup by the daemon', async () => {
      if (!port) return undefined;
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return (sample(text, 'kubekeeper_backup_successes_total') ?? 0) >= 1 ? text : undefined;
    });
    assert.equal(sample(page, 'kubekeeper_backups_future_dated'), 1);
    assert.ok((sample(page, 'kubekeeper_backup_next_run_timestamp_seconds') ?? 0) < Date.now() / 1000 + 7 * 3600, 'the next run is one interval away, not after 2999');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 503);
    assert.match(((await health.json()) as { reason: string }).reason, /dated after this host's clock .*forged/);
  } finally {
    controller.abort();
    await done;
  }
  const list = await runKubekeeper(['backup', 'list', '--repo', cfg.repository.url, '-w', 'json']);
  assert.equal(list.code, 0, list.stderr);
  const backups = (JSON.parse(list.stdout) as { backups: { name: string; status: string; problems: string[] }[] }).backups;
  assert.deepEqual(backups.map((b) => [b.name.startsWith('future-') ? 'future-*' : b.name, b.status]).sort(), [['forged', 'future'], ['future-*', 'ok']]);
  const text = await runKubekeeper(['backup', 'list', '--repo', cfg.repository.url]);
  assert.match(text.stdout, /forged: future: dated 2999-01-01T00:00:00.000Z/);
  const show = await runKubekeeper(['backup', 'show', 'latest', '--repo', cfg.repository.url, '-w', 'json']);
  assert.match(show.stdout, /"name":"future-/, 'latest is the real newest backup, not the forged one');
});

test('daemon retries a backup that failed while etcd was down within its slot, and counts the retry', async () => {
  const clientPort = await freePort();
  const cfg = config('retry', `127.0.0.1:${clientPort}`);
  const controller = new AbortController();
  const lines: string[] = [];
  let port = 0;
  const done = runDaemon(cfg, {
    signal: controller.signal, logger: createJsonLogger((l) => lines.push(l)), onListening: (a) => (port = a.port),
    backupRetry: { initialMs: 500, maxMs: 2000 },
  });
  try {
    await until('the first failure', () => (lines.some((l) => l.includes('"backup.run.failed"')) ? true : undefined));
    const etcd = await startEtcd({ clientPort });
    started.push(etcd);
    const page = await until('a backup by a retry', async () => {
      if (!port) return undefined;
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return (sample(text, 'kubekeeper_backup_successes_total') ?? 0) >= 1 ? text : undefined;
    });
    assert.ok((sample(page, 'kubekeeper_backup_retries_total') ?? 0) >= 1, page);
    assert.equal(sample(page, 'kubekeeper_backup_successes_total'), 1);
    assert.ok((sample(page, 'kubekeeper_backup_failures_total{reason="etcd-unreachable"}') ?? 0) >= 1, page);
    assert.ok(lines.some((l) => l.includes('"backup.retry"')));
  } finally {
    controller.abort();
    await done;
  }
});
