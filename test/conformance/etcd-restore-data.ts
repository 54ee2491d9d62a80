/**
 * Shared by the etcd restore conformance suites: the data set loaded into the source member
 * (small, but with every kind of entry a restore must carry: many revisions, a delete, a
 * compaction, a lease with keys, binary and large values, Kubernetes keys) and a reader of
 * every bucket of a restored db for side-by-side comparison.
 */
import { readFileSync } from 'node:fs';
import { openBolt, randomAccessFromBytes } from '../../src/snapshot/index.js';
import { etcdctlOk, type EtcdProcess } from '../support/etcd.js';
import { etcdctlLease, etcdctlPut } from '../support/etcd-put.js';
import { etcdctlTxnPut } from '../support/snapshot-data.js';

export async function loadRestoreData(member: EtcdProcess): Promise<void> {
  await etcdctlTxnPut(member, Array.from({ length: 40 }, (_, i) => [`/registry/pods/default/pod-${String(i).padStart(3, '0')}`, `spec-${i}-${'x'.repeat(i * 7)}`]));
  for (let i = 0; i < 4; i++) await etcdctlOk(member, ['put', 'foo', `bar${i}`]);
  await etcdctlPut(member, 'binary', Uint8Array.from({ length: 256 }, (_, i) => i));
  await etcdctlPut(member, 'large', new Uint8Array(20_000).fill(0x61));
  const lease = await etcdctlLease(member, 3600);
  await etcdctlOk(member, ['put', '--lease', lease, '/registry/leases/kube-node-lease/n1', 'renewed']);
  await etcdctlOk(member, ['put', '--lease', lease, 'leased-2', 'y']);
  await etcdctlOk(member, ['put', 'gone', 'soon']);
  await etcdctlOk(member, ['del', 'gone']);
  const rev = (JSON.parse(await etcdctlOk(member, ['get', 'foo', '-w', 'json'])) as { header: { revision: number } }).header.revision;
  await etcdctlOk(member, ['compaction', String(rev - 2)]);
  await etcdctlOk(member, ['put', 'foo', 'last']);
}

/** Every bucket of a db file: name -> [key hex, value hex] in order. */
export function dbBuckets(dbFile: string): Map<string, [string, string][]> {
  const db = openBolt(randomAccessFromBytes(readFileSync(dbFile)));
  return new Map([...db.buckets()].map((b) => [
    Buffer.from(b.name).toString(),
    [...b.entries()].map((e) => [Buffer.from(e.key).toString('hex'), Buffer.from(e.value ?? []).toString('hex')] as [string, string]),
  ]));
}

/** Names of the buckets whose entries differ (or exist on one side only), sorted. */
export function diffBuckets(a: Map<string, [string, string][]>, b: Map<string, [string, string][]>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => JSON.stringify(a.get(n)) !== JSON.stringify(b.get(n))).sort();
}
