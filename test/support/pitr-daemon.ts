/**
 * The point-in-time daemon tests' config: a daemon on one etcd and a local repository, gzip
 * backups to `recipients` (or `passphraseFile`), an hourly schedule, no drill, no metrics
 * listener, and the given `deltas` section. Tests override what they need by spreading.
 * startPitrDaemon runs one with its log lines kept.
 */
import path from 'node:path';
import type { TestContext } from 'node:test';
import { type BackupRepository, openBackupRepository } from '../../src/backup/index.js';
import { type KubekeeperConfig, runDaemon } from '../../src/daemon/index.js';
import { createJsonLogger } from '../../src/logger.js';

export function pitrDaemonConfig(o: { dir: string; repoDir: string; endpoint: string; recipients: string[]; passphraseFile?: string; deltas: NonNullable<KubekeeperConfig['deltas']> }): KubekeeperConfig {
  return {
    source: { path: 'merge.yaml', format: 'kubekeeper' },
    etcd: { endpoints: [o.endpoint], dialTimeoutMs: 1000, commandTimeoutMs: 3000 },
    repository: { url: o.repoDir },
    backup: { namePrefix: 'd', compression: 'gzip', recipients: o.recipients, ...(o.passphraseFile ? { passphraseFile: o.passphraseFile } : {}), include: [], timeoutMs: 60_000 },
    schedule: { intervalMs: 3_600_000, jitterMs: 0 },
    retention: {},
    drill: { enabled: false, identityFiles: [], expectKeys: [], etcdBinary: 'etcd', timeoutMs: 60_000 },
    metrics: { listen: '', staleAfterMs: 3_600_000 },
    lockFile: path.join(o.dir, 'lock'),
    deltas: o.deltas,
  };
}

/** Runs the daemon with `config` and opens its repository; `stop()` ends it (and waits), also after `t`. */
export async function startPitrDaemon(t: TestContext, config: KubekeeperConfig): Promise<{ lines: string[]; repo: BackupRepository; stop: () => Promise<void> }> {
  const controller = new AbortController();
  t.after(() => controller.abort());
  const lines: string[] = [];
  const done = runDaemon(config, { signal: controller.signal, logger: createJsonLogger((l) => lines.push(l)) });
  const repo = await openBackupRepository(config.repository.url);
  t.after(() => repo.backend.close());
  return {
    lines, repo,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}
