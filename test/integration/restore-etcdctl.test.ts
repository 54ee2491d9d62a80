/**
 * kubekeeper's restore side by side with `etcdctl snapshot restore` (3.4.23) of the same
 * snapshot with the same flags. They must agree on the member and cluster IDs, and on every
 * user key (same revision, same hash over the `key` bucket). kubekeeper restores with etcd
 * 3.5's semantics (spec §5.5.2), so these differences are expected and asserted, not hidden:
 * - `members`: etcdctl 3.4 keeps the OLD cluster's member there and writes none of the new
 *   ones; kubekeeper replaces it with the new members (etcd 3.4 rebuilds membership from the
 *   .snap file either way, so `member list` is the same);
 * - `meta`: kubekeeper adds `term` = 1 (3.5), so `snapshot status` counts one key more;
 * - a user key named like an old member ID (hex) is deleted by etcdctl 3.4's restore (a bug,
 *   §5.5.1 step 3: a tombstone at revision R+1) and kept by kubekeeper, as by etcdutl 3.5;
 * - the last WAL snapshot record carries the ConfState (3.5), and the db is rewritten
 *   compactly, so the db bytes and `snapshot status` totalSize/hash differ (§5.5.3).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { crc32c, openBolt, randomAccessFromBytes } from '../../src/snapshot/index.js';
import { runKubekeeper } from '../support/cli.js';
import { etcdctl, etcdctlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';
import {
  headerIds, loadSampleData, memberList, planMembers, readServedState, restoreFlags, startRestored, type RestoredPorts, type ServedState,
} from '../support/restore.js';

/** Entries of every bucket of a restored db, as hex pairs. */
function buckets(dbFile: string): Map<string, [string, string][]> {
  const db = openBolt(randomAccessFromBytes(readFileSync(dbFile)));
  return new Map([...db.buckets()].map((b) => [Buffer.from(b.name).toString(), [...b.entries()].map((e) => [Buffer.from(e.key).toString('hex'), Buffer.from(e.value ?? []).toString('hex')] as [string, string])]));
}

/** CRC-32C over the `key` bucket only: the user keys and all their revisions. */
function userKeyHash(dbFile: string): number {
  let crc = 0;
  for (const [k, v] of buckets(dbFile).get('key') ?? []) crc = crc32c(Buffer.from(v, 'hex'), crc32c(Buffer.from(k, 'hex'), crc));
  return crc;
}

interface Status { hash: number; revision: number; totalKey: number }

async function status(dbFile: string): Promise<Status> {
  const r = await runKubekeeper(['snapshot', 'status', dbFile, '-w', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Status;
}

describe('snapshot restore side by side with etcdctl snapshot restore', () => {
  let dir: string;
  let sourceMemberId: string;
  let plain: string;
  let withMemberKey: string;
  let served: ServedState;
  const started: EtcdProcess[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kk-restore-vs-'));
    const source = await startEtcd({ dataDir: path.join(dir, 'source'), extraArgs: ['--max-txn-ops', '500'] });
    started.push(source);
    sourceMemberId = (await headerIds(source)).memberId;
    await loadSampleData(source);
    served = await readServedState(source);
    plain = path.join(dir, 'plain.db');
    await etcdctlOk(source, ['snapshot', 'save', plain]);
    await etcdctlOk(source, ['put', sourceMemberId, 'a user key named like the old member']);
    withMemberKey = path.join(dir, 'member-key.db');
    await etcdctlOk(source, ['snapshot', 'save', withMemberKey]);
    await source.stop();
  });

  after(async () => {
    for (const m of started) await m.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Restores `snapshot` with both tools (same flags); returns the two data dirs. */
  async function restoreBoth(snapshot: string, label: string, m: RestoredPorts, initialCluster: string): Promise<{ etcdctlDir: string; kkDir: string }> {
    const flags = restoreFlags(m, initialCluster, 'tok-side-by-side');
    const etcdctlDir = path.join(dir, `${label}-etcdctl`);
    const kkDir = path.join(dir, `${label}-kubekeeper`);
    const e = await etcdctl(undefined, ['snapshot', 'restore', snapshot, '--data-dir', etcdctlDir, ...flags]);
    assert.equal(e.code, 0, e.stderr);
    const k = await runKubekeeper(['snapshot', 'restore', snapshot, '--data-dir', kkDir, ...flags, '--bump-revision', '0']);
    assert.equal(k.code, 0, k.stderr);
    return { etcdctlDir, kkDir };
  }

  test('both restores give the same member and cluster IDs and the same user keys', async () => {
    const { members, initialCluster } = await planMembers(['side-1', 'side-2']);
    const m = members[0] as RestoredPorts;
    const { etcdctlDir, kkDir } = await restoreBoth(plain, 'plain', m, initialCluster);
    const dbs = { etcdctl: path.join(etcdctlDir, 'member/snap/db'), kubekeeper: path.join(kkDir, 'member/snap/db') };

    assert.equal(userKeyHash(dbs.kubekeeper), userKeyHash(dbs.etcdctl));
    const [se, sk] = [await status(dbs.etcdctl), await status(dbs.kubekeeper)];
    assert.equal(sk.revision, se.revision);
    // +1 meta/term; members: the 2 new ones instead of etcdctl's 1 old one.
    assert.equal(sk.totalKey, se.totalKey + 1 + (2 - 1));
    const [be, bk] = [buckets(dbs.etcdctl), buckets(dbs.kubekeeper)];
    for (const name of ['alarm', 'auth', 'authRoles', 'authUsers', 'cluster', 'key', 'lease']) assert.deepEqual(bk.get(name), be.get(name), name);
    assert.deepEqual(be.get('members')?.map(([k]) => Buffer.from(k, 'hex').toString()), [sourceMemberId], 'etcdctl 3.4 keeps the old member');
    assert.equal(bk.get('members')?.length, 2, 'kubekeeper writes the two new members');
    assert.ok(bk.get('members')?.every(([k]) => Buffer.from(k, 'hex').toString() !== sourceMemberId));
    assert.deepEqual(new Map(bk.get('meta')).get(Buffer.from('term').toString('hex')), '0000000000000001');
    assert.equal(new Map(be.get('meta')).get(Buffer.from('term').toString('hex')), undefined);

    const wal = (d: string) => readFileSync(path.join(d, 'member/wal/0000000000000000-0000000000000000.wal')).subarray(0, 0x30);
    // The WAL starts with the crc and metadata {NodeID, ClusterID} records: byte-identical.
    assert.equal(Buffer.compare(wal(kkDir), wal(etcdctlDir)), 0);
  });

  test('both restores start, and etcd reports the same IDs and members for each', async () => {
    const { members, initialCluster } = await planMembers(['solo']);
    const m = members[0] as RestoredPorts;
    const { etcdctlDir, kkDir } = await restoreBoth(plain, 'solo', m, initialCluster);
    const results = [];
    for (const dataDir of [etcdctlDir, kkDir]) {
      const etcd = await startRestored(dataDir, m, initialCluster);
      started.push(etcd);
      results.push({ ids: await headerIds(etcd), list: await memberList(etcd), state: await readServedState(etcd) });
      await etcd.stop();
    }
    const [e, k] = results as [(typeof results)[0], (typeof results)[0]];
    assert.deepEqual(k.ids, e.ids);
    assert.deepEqual(k.list, e.list);
    assert.deepEqual(k.list.map((x) => x.name), ['solo']);
    assert.deepEqual(k.state, e.state);
    assert.deepEqual(k.state, served);
  });

  test('a user key named like an old member survives kubekeeper\'s restore and is deleted by etcdctl 3.4\'s', async () => {
    const { members, initialCluster } = await planMembers(['bug']);
    const m = members[0] as RestoredPorts;
    const { etcdctlDir, kkDir } = await restoreBoth(withMemberKey, 'bug', m, initialCluster);
    const [se, sk] = [await status(path.join(etcdctlDir, 'member/snap/db')), await status(path.join(kkDir, 'member/snap/db'))];
    assert.equal(se.revision, sk.revision + 1, 'etcdctl 3.4 writes a tombstone at R+1');
    const values = [];
    for (const dataDir of [etcdctlDir, kkDir]) {
      const etcd = await startRestored(dataDir, m, initialCluster);
      started.push(etcd);
      values.push((await etcdctlOk(etcd, ['get', sourceMemberId, '--print-value-only'])).trim());
      await etcd.stop();
    }
    assert.deepEqual(values, ['', 'a user key named like the old member']);
  });
});
