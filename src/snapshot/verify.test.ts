import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { buildBolt, resealMeta, revKey, withTrailer, type BucketSpec } from '../../test/support/bolt-builder.js';
import { ProtoWriter } from '../protobuf/index.js';
import { randomAccessFromBytes } from './random-access.js';
import { verifySnapshot, type VerifyReport } from './verify.js';

const PS = 4096;
const u64be = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};
const kv = (key: string, create: number, mod: number, version: number, value = 'v', lease = 0) =>
  new ProtoWriter().bytes(1, key).varintIfNonZero(2, create).varintIfNonZero(3, mod).varintIfNonZero(4, version).bytesIfNonEmpty(5, value).varintIfNonZero(6, lease).finish();
const leaseValue = (id: bigint, ttl: number) => new ProtoWriter().varint(1, id).varint(2, ttl).finish();

function etcdBuckets(overrides: Partial<Record<string, BucketSpec['entries']>> = {}): BucketSpec[] {
  const keys: BucketSpec['entries'] = Array.from({ length: 120 }, (_, i) => [revKey(i + 2), kv(`k${i}`, i + 2, i + 2, 1)]);
  keys.push([revKey(122, 0, true), new ProtoWriter().bytes(1, 'k0').finish()]);
  const base: Record<string, BucketSpec['entries']> = {
    alarm: [], auth: [['authRevision', u64be(1n)]], authRoles: [], authUsers: [], cluster: [['clusterVersion', '3.4.0']],
    key: keys, lease: [[u64be(0x523ea1faeb616a09n), leaseValue(0x523ea1faeb616a09n, 3600)]],
    members: [['bfa662a143c3685', '{"id":1}']], members_removed: [],
    meta: [['consistent_index', u64be(130n)], ['finishedCompactRev', revKey(4)], ['scheduledCompactRev', revKey(4)]],
  };
  return Object.entries({ ...base, ...overrides })
    .filter((e): e is [string, BucketSpec['entries']] => e[1] !== undefined)
    .map(([name, entries]) => ({ name, entries }));
}

const build = (buckets = etcdBuckets()) => buildBolt(buckets, { maxPerNode: 10 });
const verify = (bytes: Uint8Array, requireTrailer = false) => verifySnapshot(randomAccessFromBytes(bytes), { requireTrailer });
const check = (report: VerifyReport, name: string) => {
  const c = report.checks.find((x) => x.name === name);
  assert.ok(c, `no check ${name}`);
  return c;
};
const failedNames = (r: VerifyReport) => r.checks.filter((c) => !c.ok).map((c) => c.name);

test('verifySnapshot passes every check when the snapshot is sound', async () => {
  const db = build().bytes;
  const report = verify(await withTrailer(db));
  assert.equal(report.sha256, createHash('sha256').update(db).digest('hex'));
  assert.deepEqual(failedNames(report), []);
  assert.equal(report.ok, true);
  assert.deepEqual(report.checks.map((c) => c.name), ['trailer', 'meta', 'size', 'structure', 'freelist', 'buckets', 'revisions', 'consistent-index', 'leases']);
  assert.match(check(report, 'revisions').detail ?? '', /121 revisions \(1 tombstones\), last revision 122/);
  assert.match(check(report, 'consistent-index').detail ?? '', /consistent index 130, compacted at revision 4/);
});

test('verifySnapshot skips the trailer check when the file has none, and fails it when required', () => {
  const bytes = build().bytes;
  const c = check(verify(bytes), 'trailer');
  assert.equal(c.ok, true);
  assert.equal(c.skipped, true);
  assert.equal(check(verify(bytes, true), 'trailer').ok, false);
});

test('verifySnapshot fails the trailer check at the trailer offset when a trailer byte is flipped', async () => {
  const bytes = await withTrailer(build().bytes);
  bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 0x10;
  const c = check(verify(bytes), 'trailer');
  assert.equal(c.ok, false);
  assert.equal(c.offset, bytes.length - 32);
  assert.deepEqual(failedNames(verify(bytes)), ['trailer']);
});

test('verifySnapshot fails the trailer check when the trailer is cut short', async () => {
  const bytes = await withTrailer(build().bytes);
  assert.match(check(verify(bytes.subarray(0, bytes.length - 7)), 'trailer').detail ?? '', /trailer is cut/);
});

test('verifySnapshot warns on the meta check of page 1 when the older meta page is damaged (bbolt uses the other)', () => {
  const bytes = build().bytes;
  bytes[PS + 40] = (bytes[PS + 40] as number) ^ 1;
  const report = verify(bytes);
  const c = check(report, 'meta');
  assert.equal(c.ok, true);
  assert.equal(c.warning, true);
  assert.equal(report.ok, true);
  assert.equal(c.pageId, 1);
  assert.match(c.detail ?? '', /checksum.*using meta page 0/);
  assert.equal(check(report, 'structure').ok, true, 'the walk still runs on the valid meta');
});

test('verifySnapshot fails the meta check with the offset when bytes after the meta struct are not zero', () => {
  const bytes = build().bytes;
  bytes[500] = 1;
  const c = check(verify(bytes), 'meta');
  assert.deepEqual([c.ok, c.pageId, c.offset], [false, 0, 500]);
});

test('verifySnapshot fails the meta check and skips the rest when no meta is valid', () => {
  const bytes = build().bytes;
  bytes[16] = 0;
  bytes[PS + 16] = 0;
  const report = verify(bytes);
  assert.deepEqual(failedNames(report), ['meta']);
  assert.equal(report.ok, false);
  assert.ok(report.checks.slice(2).every((c) => c.skipped));
});

test('verifySnapshot fails the size check when the file is truncated at a page boundary', () => {
  const db = build();
  const report = verify(db.bytes.subarray(0, (db.pgid - 1) * PS));
  assert.deepEqual(failedNames(report), ['size']);
  assert.equal(check(report, 'size').offset, (db.pgid - 1) * PS);
});

test('verifySnapshot fails the size check when a trailer file has pages beyond pgid', async () => {
  const db = build();
  const bytes = await withTrailer(Buffer.concat([db.bytes, Buffer.alloc(PS)]));
  assert.deepEqual(failedNames(verify(bytes)), ['size']);
});

test('verifySnapshot fails the structure check with the branch page when a child pointer loops', () => {
  const db = build();
  const branch = db.buckets.key?.branches.at(-1) as number;
  new DataView(db.bytes.buffer).setBigUint64(branch * PS + 24, BigInt(branch), true);
  const report = verify(db.bytes);
  assert.deepEqual(failedNames(report), ['structure']);
  assert.equal(check(report, 'structure').pageId, branch);
  assert.equal(check(report, 'revisions').skipped, true);
});

test('verifySnapshot fails the structure check when keys are out of order', () => {
  const db = build();
  const leaf = db.buckets.key?.leaves[2] as number;
  const v = new DataView(db.bytes.buffer);
  // Swap the first key's main revision for a huge one: the next key then sorts before it.
  const keyAt = leaf * PS + 16 + v.getUint32(leaf * PS + 16 + 4, true);
  db.bytes[keyAt] = 0x7f;
  const c = check(verify(db.bytes), 'structure');
  assert.equal(c.ok, false);
  assert.match(c.detail ?? '', /out of order/);
  assert.equal(c.pageId, leaf);
});

test('verifySnapshot fails the freelist check when a stored freelist misses a page', () => {
  const db = buildBolt(etcdBuckets(), { freelist: true, freePages: 3 });
  assert.equal(verify(db.bytes).ok, true);
  const v = new DataView(db.bytes.buffer);
  v.setUint16((db.freelistPage as number) * PS + 10, 2, true);
  const c = check(verify(db.bytes), 'freelist');
  assert.equal(c.ok, false);
  assert.match(c.detail ?? '', /unreachable unfreed/);
  assert.equal(c.pageId, db.freePages[2]);
});

test('verifySnapshot fails the buckets check when the key bucket is missing', () => {
  const report = verify(build(etcdBuckets({ key: undefined })).bytes);
  assert.deepEqual(failedNames(report), ['buckets']);
  assert.match(check(report, 'buckets').detail ?? '', /"key" is missing/);
});

test('verifySnapshot fails the revisions check with the page when a revision key is malformed', () => {
  const report = verify(build(etcdBuckets({ key: [[revKey(2).subarray(0, 16), kv('a', 2, 2, 1)]] })).bytes);
  assert.deepEqual(failedNames(report), ['revisions']);
  assert.match(check(report, 'revisions').detail ?? '', /16 bytes, expected 17 or 18/);
  assert.notEqual(check(report, 'revisions').pageId, undefined);
});

test('verifySnapshot fails the revisions check when mod_revision differs from the key', () => {
  const report = verify(build(etcdBuckets({ key: [[revKey(2), kv('a', 2, 3, 1)], [revKey(3), kv('a', 2, 3, 2)]] })).bytes);
  assert.match(check(report, 'revisions').detail ?? '', /mod_revision 3 differs from the key's revision 2/);
});

test('verifySnapshot fails the revisions check when a value is not a KeyValue', () => {
  const report = verify(build(etcdBuckets({ key: [[revKey(2), Buffer.from([0x0a, 0x50, 1])]] })).bytes);
  assert.match(check(report, 'revisions').detail ?? '', /past the end/);
});

test('verifySnapshot accepts an empty value when it is a 3.5 bump-revision key', () => {
  assert.equal(verify(build(etcdBuckets({ key: [[revKey(2), kv('a', 2, 2, 1)], [revKey(1000), '']] })).bytes).ok, true);
});

test('verifySnapshot fails the consistent-index check when the index is missing beside revisions, or not 8 bytes', () => {
  const missing = verify(build(etcdBuckets({ key: [[revKey(2), kv('a', 2, 2, 1)]], meta: [['other', 'x']] })).bytes);
  assert.equal(check(missing, 'consistent-index').ok, false);
  assert.match(check(missing, 'consistent-index').detail ?? '', /no "consistent_index" although the key bucket holds 1 revisions/);
  const short = verify(build(etcdBuckets({ meta: [['consistent_index', Buffer.alloc(4)]] })).bytes);
  assert.match(check(short, 'consistent-index').detail ?? '', /4 bytes, expected 8/);
});

test('verifySnapshot accepts a missing consistent index when no write was ever applied (fresh etcd 3.4)', () => {
  const fresh = verify(build(etcdBuckets({ key: [], meta: [] })).bytes);
  assert.equal(check(fresh, 'consistent-index').ok, true);
  assert.match(check(fresh, 'consistent-index').detail ?? '', /no consistent index yet/);
});

test('verifySnapshot fails the consistent-index check when the finished compaction is newer than the scheduled one', () => {
  const report = verify(build(etcdBuckets({ meta: [['consistent_index', u64be(5n)], ['finishedCompactRev', revKey(9)], ['scheduledCompactRev', revKey(4)]] })).bytes);
  assert.deepEqual(failedNames(report), ['consistent-index']);
});

test('verifySnapshot fails the leases check when a lease ID differs from its key', () => {
  const report = verify(build(etcdBuckets({ lease: [[u64be(7n), leaseValue(8n, 60)]] })).bytes);
  assert.deepEqual(failedNames(report), ['leases']);
  assert.match(check(report, 'leases').detail ?? '', /stored ID 8 differs from the key 7/);
});

test('verifySnapshot fails the buckets check when an etcd bucket nests a bucket', () => {
  const buckets = etcdBuckets();
  (buckets.find((b) => b.name === 'cluster') as BucketSpec).nested = [{ name: 'x', entries: [] }];
  assert.deepEqual(failedNames(verify(buildBolt(buckets).bytes)), ['buckets']);
});

test('verifySnapshot reports ok=false and never throws when a trailer file is fuzzed (1500 seeded mutations)', async () => {
  const good = await withTrailer(build().bytes);
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 1500; i++) {
    const bytes = good.slice();
    const at = Math.floor(rnd() * bytes.length);
    const cut = rnd() < 0.1;
    const mutated = cut ? bytes.subarray(0, at) : bytes;
    if (!cut) bytes[at] = (bytes[at] as number) ^ (1 + Math.floor(rnd() * 255));
    if (!cut && rnd() < 0.3) resealMeta(bytes, 0, PS);
    const report = verify(mutated);
    assert.equal(report.ok, false, `case ${i}: ${cut ? 'cut' : 'flip'} at ${at}`);
    assert.equal(report.checks.length, 9);
  }
});
