/**
 * Restore-and-compare for the point-in-time recovery tests: `snapshot restore --from-backup
 * --to-revision R` with the built CLI into a new data dir, start that etcd, and read its
 * keyspace (lease ids dropped: the lease rule is checked in pitr-restore.test.ts) to compare
 * with the source's `etcdctlState(source, R)`.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { runKubekeeper } from './cli.js';
import { startEtcd } from './etcd.js';
import { type KvJson, etcdctlState } from './pitr-workload.js';
import { planMembers } from './restore.js';

let restores = 0;

/** Keys, values, revisions and versions without the lease id. */
export function withoutLeases(kvs: readonly KvJson[]): Omit<KvJson, 'lease'>[] {
  return kvs.map(({ lease: _l, ...rest }) => rest);
}

/** Restores `backup` of `repoDir` to `revision` under `dir`, serves it, and returns its keyspace (leases dropped). */
export async function restoredStateAt(o: { dir: string; repoDir: string; keyFiles: readonly string[]; backup: string; revision: number; binDir: string | undefined; extraArgs?: string[] }): Promise<Omit<KvJson, 'lease'>[]> {
  const name = `r${++restores}`;
  const { members, initialCluster } = await planMembers([name]);
  const m = members[0] as (typeof members)[number];
  const dataDir = path.join(o.dir, `restored-${name}`);
  const r = await runKubekeeper(['snapshot', 'restore', '--from-backup', o.backup, '--repo', o.repoDir, ...o.keyFiles.flatMap((k) => ['-i', k]), ...(o.extraArgs ?? []),
    '--to-revision', String(o.revision), '--data-dir', dataDir, '--name', m.name, '--initial-cluster', initialCluster, '--initial-advertise-peer-urls', m.peerUrl, '-w', 'json'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { pointInTime?: { toRevision: number } }).pointInTime?.toRevision, o.revision);
  const restored = await startEtcd({ dataDir, name: m.name, peerPort: m.peerPort, clientPort: m.clientPort, initialCluster, binDir: o.binDir });
  try {
    return withoutLeases(await etcdctlState(restored));
  } finally {
    await restored.stop();
  }
}
