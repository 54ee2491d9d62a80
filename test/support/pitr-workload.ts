/**
 * A seeded random etcd workload for the point-in-time recovery tests, through raw gRPC calls
 * (fast enough for thousands of operations): puts with and without leases, deletes (single
 * and by prefix), multi-op transactions, lease grants, revocations and expiries. And the
 * state of a keyspace computed from etcd's key-bucket records, as etcd itself rebuilds it.
 */
import { connectEtcd, type EtcdClient } from '../../src/etcd/index.js';
import { METHODS } from '../../src/etcd/grpc-channel.js';
import { GrpcEtcdClient } from '../../src/etcd/client.js';
import { decodeLeaseResponse, encodeLeaseGrantRequest, encodeLeaseIdRequest } from '../../src/etcd/election-messages.js';
import { decodeHeaderOnly, encodePutRequest, encodeDeleteRangeRequest } from '../../src/etcd/kv-messages.js';
import { ProtoWriter } from '../../src/protobuf/index.js';
import { decodeKeyValue, decodeRevisionKey } from '../../src/snapshot/index.js';
import { seededRandom } from '../../src/seeded-random.js';
import { etcdctlOk, type EtcdProcess } from './etcd.js';

export async function connectTo(member: EtcdProcess): Promise<EtcdClient> {
  return connectEtcd({ endpoints: [member.clientUrl], dialTimeoutMs: 5000, commandTimeoutMs: 10_000 });
}

function channelOf(client: EtcdClient) {
  return (client as GrpcEtcdClient).channel;
}

/** TxnRequest with no compare: every op in `success` runs in one revision. */
function encodeTxn(ops: ({ put: [string, string, bigint] } | { del: string })[]): Uint8Array {
  const w = new ProtoWriter();
  for (const op of ops) {
    const inner = 'put' in op
      ? new ProtoWriter().bytes(2, encodePutRequest(op.put[0], op.put[1], op.put[2])).finish()
      : new ProtoWriter().bytes(3, encodeDeleteRangeRequest(op.del)).finish();
    w.bytes(2, inner);
  }
  return w.finish();
}

export interface Workload {
  /** Runs `steps` random operations; returns the revision after each. */
  run(steps: number): Promise<number[]>;
  /** Leases granted so far and not revoked by the workload. */
  leases: bigint[];
}

export function createWorkload(client: EtcdClient, seed: number, prefix = '/w/'): Workload {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const ch = channelOf(client);
  const call = (path: string, body: Uint8Array) => ch.unary(path, body, { action: 'workload', timeoutMs: 10_000 });
  const leases: bigint[] = [];
  const key = () => `${prefix}${pick(['a', 'b', 'c', 'd'])}/${Math.floor(rand() * 40)}`;
  const value = () => `v${Math.floor(rand() * 1e9).toString(36)}`.repeat(1 + Math.floor(rand() * 3));
  const lease = () => (leases.length > 0 && rand() < 0.3 ? pick(leases) : 0n);
  const step = async (): Promise<bigint> => {
    const r = rand();
    if (r < 0.45) return decodeHeaderOnly(await call(METHODS.put, encodePutRequest(key(), value(), lease()))).revision;
    if (r < 0.6) return decodeHeaderOnly(await call(METHODS.deleteRange, encodeDeleteRangeRequest(key()))).revision;
    if (r < 0.65) return decodeHeaderOnly(await call(METHODS.deleteRange, encodeDeleteRangeRequest(`${prefix}${pick(['a', 'b', 'c', 'd'])}/1`, `${prefix}${pick(['a', 'b', 'c', 'd'])}/2`))).revision;
    if (r < 0.85) {
      const ops: ({ put: [string, string, bigint] } | { del: string })[] = [];
      const n = 2 + Math.floor(rand() * 4);
      const used = new Set<string>();
      while (ops.length < n) {
        const k = key();
        // A txn may not touch one key twice.
        if (used.has(k)) continue;
        used.add(k);
        ops.push(rand() < 0.75 ? { put: [k, value(), lease()] } : { del: k });
      }
      return decodeHeaderOnly(await call(METHODS.txn, encodeTxn(ops))).revision;
    }
    if (r < 0.93 || leases.length === 0) {
      // A 2 s lease gets one key at once and then expires during the run (its key is deleted
      // by etcd); a 600 s one is attached to later writes and revoked at random.
      if (rand() < 0.4) {
        const short = decodeLeaseResponse(await call(METHODS.leaseGrant, encodeLeaseGrantRequest(2)));
        return decodeHeaderOnly(await call(METHODS.put, encodePutRequest(`${prefix}expiring/${short.id.toString(16)}`, value(), short.id))).revision;
      }
      const grant = decodeLeaseResponse(await call(METHODS.leaseGrant, encodeLeaseGrantRequest(600)));
      leases.push(grant.id);
      return grant.header.revision;
    }
    const id = leases.splice(Math.floor(rand() * leases.length), 1)[0] as bigint;
    return decodeHeaderOnly(await call(METHODS.leaseRevoke, encodeLeaseIdRequest(id))).revision;
  };
  return {
    leases,
    async run(steps) {
      const revisions: number[] = [];
      for (let i = 0; i < steps; i++) revisions.push(Number(await step()));
      return revisions;
    },
  };
}

/** One key as `etcdctl get -w json` reports it (base64 key and value). */
export interface KvJson {
  key: string;
  value: string;
  create_revision: number;
  mod_revision: number;
  version: number;
  /** Decimal lease ID (a string: IDs exceed 2^53). */
  lease?: string;
}

/** The keyspace at revision `rev` per the source etcd's own etcdctl (`get "" --prefix --rev R -w json`). */
export async function etcdctlState(member: EtcdProcess, rev?: number): Promise<KvJson[]> {
  const text = await etcdctlOk(member, ['get', '', '--prefix', ...(rev ? [`--rev=${rev}`] : []), '-w', 'json']);
  const out = JSON.parse(text.replace(/"lease":(\d+)/g, '"lease":"$1"')) as { kvs?: KvJson[] };
  return (out.kvs ?? []).map((kv) => ({ key: kv.key, value: kv.value ?? '', create_revision: kv.create_revision, mod_revision: kv.mod_revision, version: kv.version, ...(kv.lease && kv.lease !== '0' ? { lease: kv.lease } : {}) }))
    .filter((kv) => !Buffer.from(kv.key, 'base64').toString('latin1').startsWith('/kubekeeper.io/'));
}

/**
 * The keyspace at the last revision of `entries` (key-bucket records in revision order), as
 * etcd rebuilds its index: the newest record per key wins, a tombstone removes the key.
 */
export function stateFromKeyBucket(entries: Iterable<{ key: Uint8Array; value: Uint8Array }>, upTo = Number.MAX_SAFE_INTEGER): KvJson[] {
  const live = new Map<string, KvJson>();
  for (const e of entries) {
    const rev = decodeRevisionKey(e.key);
    if (Number(rev.main) > upTo) break;
    const kv = decodeKeyValue(e.value);
    const k = Buffer.from(kv.key).toString('base64');
    if (rev.tombstone) live.delete(k);
    else live.set(k, { key: k, value: Buffer.from(kv.value).toString('base64'), create_revision: Number(kv.createRevision), mod_revision: Number(kv.modRevision), version: Number(kv.version), ...(kv.lease ? { lease: kv.lease.toString() } : {}) });
  }
  return [...live.values()].filter((kv) => !Buffer.from(kv.key, 'base64').toString('latin1').startsWith('/kubekeeper.io/'))
    .sort((a, b) => Buffer.compare(Buffer.from(a.key, 'base64'), Buffer.from(b.key, 'base64')));
}
