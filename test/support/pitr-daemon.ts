/**
 * The point-in-time daemon tests' config: a daemon on one etcd and a local repository, gzip
 * backups to `recipients` (or `passphraseFile`), an hourly schedule, no drill, no metrics
 * listener, and the given `deltas` section. Tests override what they need by spreading.
 */
import path from 'node:path';
import type { KubekeeperConfig } from '../../src/daemon/index.js';

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
