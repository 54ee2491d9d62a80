/**
 * Writes binary values into a real etcd with the real etcdctl (value on stdin, which etcdctl
 * reads verbatim), so tests do not depend on kubekeeper's own client to create their data.
 */
import { spawn } from 'node:child_process';
import { etcdctlOk, type EtcdProcess } from './etcd.js';

export async function etcdctlPut(member: Pick<EtcdProcess, 'clientFlags'>, key: string, value: Uint8Array, lease?: string): Promise<void> {
  const args = [...member.clientFlags, 'put', key];
  if (lease) args.push(`--lease=${lease}`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('etcdctl', args, { env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`etcdctl put ${key} failed: ${stderr}`))));
    child.stdin.end(Buffer.from(value));
  });
}

/** Grants a lease and returns its hex id as etcdctl prints it. */
export async function etcdctlLease(member: Pick<EtcdProcess, 'clientFlags'>, ttlSeconds: number): Promise<string> {
  const out = await etcdctlOk(member, ['lease', 'grant', String(ttlSeconds)]);
  const m = /lease ([0-9a-f]+) granted/.exec(out);
  if (!m) throw new Error(`unexpected lease grant output: ${out}`);
  return m[1] as string;
}

export interface PutEntry {
  key: string;
  value: Uint8Array;
  leaseTtlSeconds?: number;
}

/** Puts entries one by one (events with a lease, as the API server writes them). */
export async function putEntries(member: Pick<EtcdProcess, 'clientFlags'>, entries: readonly PutEntry[]): Promise<void> {
  let lease: string | undefined;
  for (const e of entries) {
    if (e.leaseTtlSeconds !== undefined) lease ??= await etcdctlLease(member, e.leaseTtlSeconds);
    await etcdctlPut(member, e.key, e.value, e.leaseTtlSeconds !== undefined ? lease : undefined);
  }
}
