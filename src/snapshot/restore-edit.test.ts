import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openBolt, openBoltFile } from './bolt-reader.js';
import { BoltWriter } from './bolt-writer.js';
import { planRestoreCluster } from './member-id.js';
import { randomAccessFromBytes } from './random-access.js';
import { KUBERNETES_BUMP_REVISION, revisionKey, writeRestoredDb, type RestoreDbResult, type RevisionBump } from './restore-db.js';
import { editRestoredDb, recordsAfter } from './restore-edit.js';
import type { AppendRecords } from './bolt-rewrite.js';
import { RestoreScan } from './restore-scan.js';
import { verifySnapshot } from './verify.js';
import { ProtoWriter } from '../protobuf/index.js';
import { revKey } from '../../test/support/bolt-builder.js';
import { buildDb, memorySink } from '../../test/support/bolt-sink.js';

const text = (s: string) => new TextEncoder().encode(s);
type Entries = [Uint8Array, Uint8Array][];
type Dump = Map<string, [string, string][]>;


const kv = (key: string, mod: number, value = 'v', lease = 0) => {
  const w = new ProtoWriter().bytes(1, key).varint(2, mod).varint(3, mod).varint(4, 1).bytes(5, value);
  return (lease ? w.varint(6, lease) : w).finish();
};
const u64 = (n: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n)); return b; };
const lease = (id: number) => new ProtoWriter().varint(1, id).varint(2, 60).finish();

const cluster = planRestoreCluster({
  name: 'b', initialCluster: 'a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,c=http://10.0.0.3:2380',
  initialClusterToken: 'tok3', initialAdvertisePeerUrls: ['http://10.0.0.2:2380'],
});

function dump(bytes: Uint8Array): Dump {
  const db = openBolt(randomAccessFromBytes(bytes));
  const hex = (b: Uint8Array | null) => Buffer.from(b ?? new Uint8Array(0)).toString('hex');
  return new Map([...db.buckets()].map((b) => [new TextDecoder().decode(b.name), [...b.entries()].map((e) => [hex(e.key), hex(e.value)] as [string, string])]));
}

/** The reference: the full rebuild of restore-db.ts. */
function rebuilt(source: Uint8Array, bump: RevisionBump): { result: RestoreDbResult; bytes: Uint8Array } {
  const sink = memorySink();
  const writer = new BoltWriter({ pageSize: 4096, sink });
  const gen = writeRestoredDb(openBolt(randomAccessFromBytes(source)), writer, { cluster, bump });
  let step = gen.next();
  while (!step.done) step = gen.next();
  writer.finish();
  return { result: step.value, bytes: sink.bytes() };
}

/** The copy-on-write edit, as a restore runs it: verify walk with the scan, then the edit over a copy. */
function edited(source: Uint8Array, bump: RevisionBump, extra?: { key: Uint8Array; value: Uint8Array }[] | AppendRecords, extraLeases?: { key: Uint8Array; value: Uint8Array }[]) {
  const scan = new RestoreScan();
  assert.equal(verifySnapshot(randomAccessFromBytes(source), { visitor: scan }).ok, true);
  const file = openBoltFile(randomAccessFromBytes(source));
  const sink = memorySink(source.subarray(0, file.pgid * file.pageSize));
  const writer = new BoltWriter({ pageSize: file.pageSize, sink, firstPgid: file.pgid, txid: Number(file.selected.meta.txid) + 1 });
  const result = editRestoredDb(file, scan, writer, { cluster, bump, ...(extra ? { extraRevisions: extra } : {}), ...(extraLeases ? { extraLeases } : {}) });
  const bytes = sink.bytes();
  const report = verifySnapshot(randomAccessFromBytes(bytes));
  assert.deepEqual(report.checks.filter((c) => !c.ok), [], 'the edited db passes every check');
  return { result, bytes, pgid: file.pgid };
}

function assertSameAsRebuild(source: Uint8Array, bump: RevisionBump): ReturnType<typeof edited> {
  const want = rebuilt(source, bump);
  const got = edited(source, bump);
  assert.deepEqual(dump(got.bytes), dump(want.bytes));
  assert.deepEqual(got.result, want.result);
  return got;
}

const RESERVED = '/kubekeeper.io/election/backup';

function snapshot(keys: string[], valueBytes = 1, leases: Entries = []): Uint8Array {
  const value = 'x'.repeat(valueBytes);
  return buildDb([
    ['alarm', []],
    ['auth', [[text('authRevision'), u64(1)]]],
    ['cluster', [[text('clusterVersion'), text('3.4.0')]]],
    ['key', keys.map((k, i) => [revKey(i + 2), kv(k, i + 2, value, k.startsWith(RESERVED) ? 0x100 + i : 0)] as [Uint8Array, Uint8Array])],
    ['lease', [...leases, ...keys.flatMap((k, i) => (k.startsWith(RESERVED) ? [[u64(0x100 + i), lease(0x100 + i)] as [Uint8Array, Uint8Array]] : []))]
      .sort((a, b) => Buffer.compare(a[0], b[0]))],
    ['members', [[text('a2e200676ba2523e'), text('{"id":1}')]]],
    ['members_removed', [[text('1234'), text('removed')]]],
    ['meta', [[text('consistent_index'), u64(10)], [text('finishedCompactRev'), revKey(3)], [text('scheduledCompactRev'), revKey(3)]]],
  ]);
}

const K8S: RevisionBump = { mode: 'kubernetes', amount: KUBERNETES_BUMP_REVISION };
const registry = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `/registry/configmaps/ns/cm-${String(from + i).padStart(5, '0')}`);

test('editRestoredDb gives the same buckets, keys, values and result as the full rebuild for a bumped multi-level key bucket', () => {
  const got = assertSameAsRebuild(snapshot(registry(3000)), K8S);
  assert.equal(got.result.bumpedBy, KUBERNETES_BUMP_REVISION);
  // Copy-on-write: a few new pages past the snapshot's, not a second copy of the key bucket.
  assert.ok(got.bytes.length / 4096 - got.pgid < 12, `${got.bytes.length / 4096 - got.pgid} new pages`);
});

test('editRestoredDb keeps every page of the key bucket when nothing bumps or drops', () => {
  const source = snapshot(['a', 'b', 'c'].flatMap((p) => Array.from({ length: 500 }, (_, i) => `/${p}/${i}`)));
  const got = assertSameAsRebuild(source, { mode: 'fixed', amount: 0n });
  const file = openBoltFile(randomAccessFromBytes(source));
  // Only the metas changed in the copied range (members/meta are inline in the root leaf).
  const changed = [];
  for (let p = 2; p < file.pgid; p++) {
    if (Buffer.compare(source.subarray(p * 4096, (p + 1) * 4096), got.bytes.subarray(p * 4096, (p + 1) * 4096)) !== 0) changed.push(p);
  }
  assert.deepEqual(changed, []);
});

test('editRestoredDb matches the rebuild for an inline key bucket, a fixed bump and overflow values', () => {
  assertSameAsRebuild(snapshot(['foo', 'bar']), { mode: 'fixed', amount: 5n });
  assertSameAsRebuild(snapshot(['big1', 'big2', 'big3', 'big4'], 20_000), { mode: 'fixed', amount: 1_000n });
  assertSameAsRebuild(snapshot(registry(40), 9_000), K8S);
});

test('editRestoredDb drops reserved keys and their leases like the rebuild, wherever they are in the tree', () => {
  // Reserved keys in the middle (a whole run of leaves) and at the end, before the bump.
  const keys = [...registry(800), ...Array.from({ length: 400 }, (_, i) => `${RESERVED}/${i}`), ...registry(800, 800), `${RESERVED}/last`];
  const got = assertSameAsRebuild(snapshot(keys, 200, [[u64(7), lease(7)]]), K8S);
  assert.equal(got.result.reservedDropped, 401);
  assert.deepEqual(dump(got.bytes).get('lease')?.map(([k]) => k), [Buffer.from(u64(7)).toString('hex')]);
  // Only reserved keys: the key bucket ends up with the bump's revision alone.
  assertSameAsRebuild(snapshot(Array.from({ length: 300 }, (_, i) => `${RESERVED}/${i}`), 100), { mode: 'fixed', amount: 10n });
  assertSameAsRebuild(snapshot(Array.from({ length: 300 }, (_, i) => `${RESERVED}/${i}`), 100), { mode: 'fixed', amount: 0n });
});

test('editRestoredDb creates the buckets etcd needs when the snapshot lacks them, as the rebuild does', () => {
  assertSameAsRebuild(buildDb([['key', [[revKey(2), kv('/registry/x', 2)]]], ['meta', [[text('consistent_index'), u64(3)]]]]), K8S);
});

test('editRestoredDb appends extra revisions after the snapshot and bumps from the last of them', () => {
  const source = snapshot(registry(2000));
  const last = 2001;
  const extra = [1, 2, 3].map((n) => ({ key: revisionKey(BigInt(last + n)), value: kv(`/registry/pitr/${n}`, last + n) }));
  const got = edited(source, K8S, extra);
  assert.equal(got.result.revisionBefore, BigInt(last + 3));
  assert.equal(got.result.revisionAfter, BigInt(last + 3) + KUBERNETES_BUMP_REVISION);
  const keys = dump(got.bytes).get('key')?.map(([k]) => k) ?? [];
  assert.deepEqual(keys.slice(-4), [...extra.map((e) => Buffer.from(e.key).toString('hex')), Buffer.from(revisionKey(got.result.revisionAfter)).toString('hex')]);
  // An extra revision older than the snapshot's last one is refused, not written out of order.
  assert.throws(() => edited(source, K8S, [{ key: revisionKey(5n), value: kv('/registry/old', 5) }]), /after the last key/);
});

test('editRestoredDb appends 200k extra revisions (a point-in-time restore) and merges extra leases with the snapshot\'s, minus reserved ones', () => {
  const keys = [...registry(100), `${RESERVED}/x`];
  const source = snapshot(keys, 1, [[u64(0x50), lease(0x50)], [u64(0x900), lease(0x900)]]);
  const first = keys.length + 2;
  const extra = Array.from({ length: 200_000 }, (_, i) => ({ key: revisionKey(BigInt(first + i)), value: kv(`/registry/pitr/${i % 1000}`, first + i) }));
  const leases = [0x40, 0x50, 0x400, 0x1000].map((id) => ({ key: u64(id), value: lease(id) }));
  const got = edited(source, { mode: 'fixed', amount: 0n }, extra, leases);
  assert.equal(got.result.revisionBefore, BigInt(first + 199_999));
  const dumped = dump(got.bytes);
  assert.equal(dumped.get('key')?.length, 100 + 200_000, 'the reserved key dropped, every extra revision kept');
  const hexId = (id: number) => Buffer.from(u64(id)).toString('hex');
  // The reserved key's lease (0x100 + its index) is dropped; the snapshot's 0x50 keeps its own record.
  assert.deepEqual(dumped.get('lease')?.map(([k]) => k), [0x40, 0x50, 0x400, 0x900, 0x1000].map(hexId));
});

/** AppendRecords over a list, as a point-in-time restore's packed records behave (fresh views each time). */
function records(list: readonly { key: Uint8Array; value: Uint8Array }[], start = 0): AppendRecords {
  return {
    length: list.length - start,
    keyAt: (i) => (list[start + i] as { key: Uint8Array }).key.slice(),
    forEachRecord: (fn) => { for (let i = start; i < list.length; i++) fn((list[i] as { key: Uint8Array }).key.slice(), (list[i] as { value: Uint8Array }).value.slice()); },
    skip: (n) => records(list, start + n),
  };
}

test('editRestoredDb writes the same db from AppendRecords as from a list, bumped or not, in a tree or an inline bucket; recordsAfter skips what the snapshot holds', () => {
  for (const [source, first] of [[snapshot(registry(3000)), 3002], [snapshot(registry(3)), 5]] as const) {
    const extra = Array.from({ length: 20_000 }, (_, i) => ({ key: revisionKey(BigInt(first + i)), value: kv(`/registry/pitr/${i % 700}`, first + i, 'v'.repeat(i % 90)) }));
    for (const bump of [K8S, { mode: 'fixed', amount: 0n } as RevisionBump]) {
      const fromList = edited(source, bump, extra);
      const fromRecords = edited(source, bump, records(extra));
      assert.deepEqual(dump(fromRecords.bytes), dump(fromList.bytes));
      assert.deepEqual(fromRecords.result, fromList.result);
    }
    assert.throws(() => edited(source, K8S, records([{ key: revisionKey(BigInt(first - 2)), value: kv('/registry/old', first - 2) }])), /after the last key/);
    const lastKey = extra[99]?.key as Uint8Array;
    const after = recordsAfter(records(extra), lastKey) as AppendRecords;
    assert.equal(after.length, extra.length - 100);
    assert.deepEqual(after.keyAt(0), extra[100]?.key);
    assert.equal((recordsAfter(extra, lastKey) as unknown[]).length, extra.length - 100);
    assert.equal(recordsAfter(records(extra), revisionKey(1n)).length, extra.length);
  }
});
