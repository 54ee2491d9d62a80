/**
 * Shared by the etcd restore conformance suites: the data set loaded into the source member
 * (small, but with every kind of entry a restore must carry: many revisions, a delete, a
 * compaction, a lease with keys, binary and large values, Kubernetes keys), and readers of
 * every bucket of a restored db and of its raft state (WAL, .snap) for side-by-side comparison.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readFields, WireType } from '../../src/protobuf/index.js';
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

/** Varint and bytes fields of a protobuf message by number (the last occurrence wins). */
function fields(buf: Uint8Array): Map<number, bigint | Uint8Array> {
  const out = new Map<number, bigint | Uint8Array>();
  for (const f of readFields(buf)) out.set(f.field, f.wireType === WireType.varint ? f.varint : f.bytes);
  return out;
}

const num = (m: Map<number, bigint | Uint8Array>, n: number) => String(m.get(n) ?? 0n);

/**
 * The raft state a restore wrote, decoded (not bytes: etcd 3.7's protobuf runtime may encode
 * zero fields differently, which etcd reads the same): WAL metadata (node and cluster ID),
 * every entry (term, index, type, and a conf change's type, node and member context), the
 * hard states and snapshot records, and the .snap file names (term-index).
 */
export function raftState(dataDir: string): unknown {
  const walDir = path.join(dataDir, 'member', 'wal');
  const wals = readdirSync(walDir).filter((n) => n.endsWith('.wal'));
  if (wals.length !== 1) throw new Error(`expected one WAL file in ${walDir}, found ${wals.join(', ')}`);
  const bytes = readFileSync(path.join(walDir, wals[0] as string));
  const records: unknown[] = [];
  for (let off = 0; off + 8 <= bytes.length;) {
    const lenField = bytes.readBigUInt64LE(off);
    const recBytes = Number(lenField & 0x00ffffffffffffffn);
    if (recBytes === 0) break;
    const padBytes = lenField & 0x8000000000000000n ? Number((lenField >> 56n) & 0x7n) : 0;
    const rec = fields(bytes.subarray(off + 8, off + 8 + recBytes));
    off += 8 + recBytes + padBytes;
    const type = Number(rec.get(1) ?? 0n);
    const data = fields((rec.get(3) as Uint8Array | undefined) ?? new Uint8Array(0));
    if (type === 1) records.push({ metadata: { nodeId: num(data, 1), clusterId: num(data, 2) } });
    else if (type === 2) {
      const entry = { term: num(data, 2), index: num(data, 3), type: num(data, 1) } as Record<string, unknown>;
      if (entry.type === '1') {
        const cc = fields((data.get(4) as Uint8Array | undefined) ?? new Uint8Array(0));
        entry.confChange = { type: num(cc, 2), nodeId: num(cc, 3), context: JSON.parse(Buffer.from((cc.get(4) as Uint8Array | undefined) ?? []).toString() || 'null') as unknown };
      }
      records.push({ entry });
    } else if (type === 3) records.push({ hardState: { term: num(data, 1), vote: num(data, 2), commit: num(data, 3) } });
    else if (type === 5) records.push({ snapshot: { index: num(data, 1), term: num(data, 2) } });
  }
  const snaps = readdirSync(path.join(dataDir, 'member', 'snap')).filter((n) => n.endsWith('.snap')).sort();
  return { records, snaps };
}
