/**
 * The common start of the point-in-time recovery tests: a temp dir, an age identity, a real
 * etcd with a seeded workload run on it, and (unless told not to) a first full backup `full1`
 * in a local repository.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { EtcdClient } from '../../src/etcd/index.js';
import { runKubekeeper } from './cli.js';
import { startEtcd, type EtcdProcess } from './etcd.js';
import { connectTo, createWorkload, type Workload } from './pitr-workload.js';
import { tempDir } from './temp.js';

export interface PitrStart {
  dir: string;
  /** The age identity file; `recipient` is its public key. */
  keyFile: string;
  recipient: string;
  repoDir: string;
  etcd: EtcdProcess;
  client: EtcdClient;
  workload: Workload;
}

/**
 * Starts etcd (of `binDir`, else the default), runs `operations` seeded operations, saves `full1`
 * (unless `fullBackup` is false); all stopped after `t`.
 */
export async function startPitr(t: TestContext, options: { prefix: string; binDir: string | undefined; seed: number; operations: number; fullBackup?: boolean }): Promise<PitrStart> {
  const dir = await tempDir(t, options.prefix);
  const keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  const repoDir = path.join(dir, 'repo');
  const etcd = await startEtcd({ binDir: options.binDir });
  t.after(() => etcd.stop());
  const client = await connectTo(etcd);
  t.after(() => client.close());
  const workload = createWorkload(client, options.seed);
  await workload.run(options.operations);
  if (options.fullBackup !== false) {
    const saved = await runKubekeeper(['backup', 'save', ...etcd.clientFlags, '--repo', repoDir, '-r', recipient, '--name', 'full1']);
    assert.equal(saved.code, 0, saved.stderr);
  }
  return { dir, keyFile, recipient, repoDir, etcd, client, workload };
}
