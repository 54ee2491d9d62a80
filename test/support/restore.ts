/**
 * Helpers for the restore integration tests: a source etcd loaded with data that exercises
 * every part of a restore (many revisions, a delete, a compaction, a lease with keys, binary
 * and large values, Kubernetes keys, a key named like a member ID), the state etcd serves
 * (every key with its revisions, leases, members) for before/after comparisons, and
 * restored members started on chosen ports.
 */
import { etcdctlOk, freePort, startEtcd, type EtcdProcess } from './etcd.js';
import { etcdctlLease, etcdctlPut } from './etcd-put.js';
import { etcdctlTxnPut } from './snapshot-data.js';

export interface ServedKv {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
  lease: string;
}

export interface ServedState {
  revision: number;
  kvs: ServedKv[];
  /** Lease IDs (hex) with their granted TTL. */
  leases: { id: string; grantedTtl: number }[];
}

/** JSON.parse that keeps integers beyond 2^53 (IDs) exact, as strings. */
export function parseEtcdJson<T>(text: string): T {
  return JSON.parse(text.replace(/([:[,]\s*)(\d{16,})/g, '$1"$2"')) as T;
}

interface GetJson {
  header: { revision: number | string };
  kvs?: { key: string; value?: string; create_revision: number; mod_revision: number; version: number; lease?: number | string }[];
}

/** Everything a client can read: all keys (with revisions, versions, leases) and the leases. */
export async function readServedState(member: Pick<EtcdProcess, 'clientFlags'>): Promise<ServedState> {
  const got = parseEtcdJson<GetJson>(await etcdctlOk(member, ['get', '', '--from-key', '-w', 'json']));
  const kvs = (got.kvs ?? []).map((kv) => ({
    key: Buffer.from(kv.key, 'base64').toString('latin1'),
    value: kv.value ?? '',
    createRevision: kv.create_revision,
    modRevision: kv.mod_revision,
    version: kv.version,
    lease: String(kv.lease ?? 0),
  }));
  const ids = (await etcdctlOk(member, ['lease', 'list'])).split('\n').slice(1).map((l) => l.trim()).filter(Boolean).sort();
  const leases = [];
  for (const id of ids) {
    const ttl = parseEtcdJson<{ 'granted-ttl': number }>(await etcdctlOk(member, ['lease', 'timetolive', id, '-w', 'json']));
    leases.push({ id, grantedTtl: ttl['granted-ttl'] });
  }
  return { revision: Number(got.header.revision), kvs, leases };
}

/** `member list -w json`: IDs as unpadded hex, like etcdctl's table. */
export async function memberList(member: Pick<EtcdProcess, 'clientFlags'>): Promise<{ id: string; name: string; peerURLs: string[] }[]> {
  const out = parseEtcdJson<{ members: { ID: string; name: string; peerURLs: string[] }[] }>(await etcdctlOk(member, ['member', 'list', '-w', 'json']));
  return out.members.map((m) => ({ id: BigInt(m.ID).toString(16), name: m.name, peerURLs: m.peerURLs }));
}

/** cluster_id and member_id from a response header, as unpadded hex. */
export async function headerIds(member: Pick<EtcdProcess, 'clientFlags'>): Promise<{ clusterId: string; memberId: string }> {
  const out = parseEtcdJson<{ header: { cluster_id: string; member_id: string } }>(await etcdctlOk(member, ['get', 'x', '-w', 'json']));
  return { clusterId: BigInt(out.header.cluster_id).toString(16), memberId: BigInt(out.header.member_id).toString(16) };
}

/**
 * Loads the sample data set into `member`. `memberKey` names a user key after a member ID,
 * which etcdctl 3.4's restore tombstones (spec §5.5.1) and etcdutl 3.5's does not.
 */
export async function loadSampleData(member: EtcdProcess, memberKey?: string): Promise<void> {
  await etcdctlTxnPut(member, Array.from({ length: 120 }, (_, i) => [`/registry/pods/default/pod-${String(i).padStart(3, '0')}`, `spec-${i}-${'x'.repeat(i * 7)}`]));
  for (let i = 0; i < 4; i++) await etcdctlOk(member, ['put', 'foo', `bar${i}`]);
  await etcdctlPut(member, 'binary', Uint8Array.from({ length: 256 }, (_, i) => i));
  await etcdctlPut(member, 'large', new Uint8Array(150_000).fill(0x61));
  const lease = await etcdctlLease(member, 3600);
  await etcdctlOk(member, ['put', '--lease', lease, '/registry/leases/kube-node-lease/n1', 'renewed']);
  await etcdctlOk(member, ['put', '--lease', lease, 'leased-2', 'y']);
  await etcdctlOk(member, ['put', 'gone', 'soon']);
  await etcdctlOk(member, ['del', 'gone']);
  const rev = parseEtcdJson<{ header: { revision: number } }>(await etcdctlOk(member, ['get', 'foo', '-w', 'json'])).header.revision;
  await etcdctlOk(member, ['compaction', String(rev - 2)]);
  if (memberKey) await etcdctlOk(member, ['put', memberKey, 'a user key named like a member']);
  await etcdctlOk(member, ['put', 'foo', 'last']);
}

export interface RestoredPorts {
  name: string;
  peerPort: number;
  clientPort: number;
  peerUrl: string;
}

/** Fresh ports for `names`, and the --initial-cluster naming them. */
export async function planMembers(names: readonly string[]): Promise<{ members: RestoredPorts[]; initialCluster: string }> {
  const members: RestoredPorts[] = [];
  for (const name of names) {
    const peerPort = await freePort();
    members.push({ name, peerPort, clientPort: await freePort(), peerUrl: `http://127.0.0.1:${peerPort}` });
  }
  return { members, initialCluster: members.map((m) => `${m.name}=${m.peerUrl}`).join(',') };
}

/** Starts etcd on a restored data dir with the ports it was restored for. */
export function startRestored(dataDir: string, m: RestoredPorts, initialCluster: string, noWait = false, walDir?: string): Promise<EtcdProcess> {
  return startEtcd({ dataDir, name: m.name, peerPort: m.peerPort, clientPort: m.clientPort, initialCluster, noWait, ...(walDir ? { walDir } : {}) });
}

/** The restore flags for member `m` of `initialCluster`. */
export function restoreFlags(m: RestoredPorts, initialCluster: string, token: string): string[] {
  return ['--name', m.name, '--initial-cluster', initialCluster, '--initial-advertise-peer-urls', m.peerUrl, '--initial-cluster-token', token];
}
