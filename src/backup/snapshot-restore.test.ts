import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AbortedError } from '../errors.js';
import { ProtoWriter } from '../protobuf/index.js';
import {
  BoltWriter, ChecksumMismatchError, RestoreConfigError, openBolt, randomAccessFromBytes, snapshotStatus,
} from '../snapshot/index.js';
import { repoRoot } from '../../test/support/paths.js';
import { tempDir } from '../../test/support/temp.js';
import { restoreSnapshot, type SnapshotRestoreOptions } from './snapshot-restore.js';

const text = (s: string) => new TextEncoder().encode(s);

/** A small etcd-like snapshot file (bbolt image + sha256 trailer) with `keys` user keys. */
function writeSnapshot(file: string, keys: string[], valueBytes = 10): Uint8Array {
  const chunks: [number, Uint8Array][] = [];
  const w = new BoltWriter({ pageSize: 4096, sink: { write: (offset, bytes) => chunks.push([offset, bytes.slice()]) } });
  const bucket = (name: string, entries: [Uint8Array, Uint8Array][]) => {
    w.beginBucket(text(name));
    for (const [k, v] of entries) w.put(k, v);
    w.endBucket();
  };
  const u64 = (n: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n)); return b; };
  bucket('cluster', [[text('clusterVersion'), text('3.4.0')]]);
  bucket('key', keys.map((k, i) => {
    const rev = new Uint8Array(17);
    new DataView(rev.buffer).setBigUint64(0, BigInt(i + 2));
    rev[8] = 0x5f;
    return [rev, new ProtoWriter().bytes(1, k).varint(2, i + 2).varint(3, i + 2).varint(4, 1).bytes(5, new Uint8Array(valueBytes).fill(7)).finish()];
  }));
  bucket('members', [[text('8e9e05c52164694d'), text('{"id":10276657743932975437,"peerURLs":["http://localhost:2380"],"name":"default"}')]]);
  bucket('meta', [[text('consistent_index'), u64(9)]]);
  const { sizeBytes } = w.finish();
  const image = new Uint8Array(sizeBytes);
  for (const [offset, bytes] of chunks) image.set(bytes, offset);
  const file32 = Buffer.concat([image, createHash('sha256').update(image).digest()]);
  writeFileSync(file, file32);
  return file32;
}

const defaults = (snapshotPath: string, dataDir: string): SnapshotRestoreOptions => ({
  snapshotPath, dataDir, name: 'n1', initialCluster: 'n1=http://127.0.0.1:52380', initialClusterToken: 'tok-r',
  initialAdvertisePeerUrls: ['http://127.0.0.1:52380'], skipHashCheck: false, markCompacted: false, dryRun: false,
});

/** Every path under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('restoreSnapshot builds the member dir with 0700 dirs and 0600 files when the target is absent', async (t) => {
  const dir = await tempDir(t);
  const snap = path.join(dir, 's.db');
  writeSnapshot(snap, ['/registry/pods/default/a', '/registry/pods/default/b']);
  const dataDir = path.join(dir, 'restored');
  const report = await restoreSnapshot(defaults(snap, dataDir));
  assert.deepEqual(tree(dataDir), ['member', 'member/snap', 'member/snap/0000000000000001-0000000000000001.snap', 'member/snap/db', 'member/wal', 'member/wal/0000000000000000-0000000000000000.wal']);
  for (const rel of ['', 'member', 'member/snap', 'member/wal']) assert.equal(statSync(path.join(dataDir, rel)).mode & 0o777, 0o700, rel);
  for (const f of report.files) assert.equal(statSync(f.path).mode & 0o777, 0o600, f.path);
  assert.equal(statSync(path.join(dataDir, 'member/wal/0000000000000000-0000000000000000.wal')).size, 64_000_000);
  assert.equal(report.clusterId, '30e5897656a14f4f');
  assert.deepEqual(report.members, [{ name: 'n1', id: 'bfa662a143c3685', peerUrls: ['http://127.0.0.1:52380'], local: true }]);
  assert.deepEqual(report.droppedMembers, ['8e9e05c52164694d']);
  assert.equal(report.revision.kubernetes, true);
  assert.equal(report.revision.after, 1_000_000_003n);
  const db = readFileSync(path.join(dataDir, 'member/snap/db'));
  assert.equal(db.length, report.files[0]?.sizeBytes);
  assert.equal(snapshotStatus(randomAccessFromBytes(db)).revision, 1_000_000_003n);
  // Nothing else next to the target: the staging dir is gone.
  assert.deepEqual(readdirSync(dir).sort(), ['restored', 's.db']);
});

test('restoreSnapshot writes nothing when it is a dry run, and plans the same db size', async (t) => {
  const dir = await tempDir(t);
  const snap = path.join(dir, 's.db');
  const bytes = writeSnapshot(snap, ['a', 'b', 'c']);
  const plan = await restoreSnapshot({ ...defaults(snap, path.join(dir, 'x', 'restored')), dryRun: true });
  assert.deepEqual(readdirSync(dir), ['s.db']);
  assert.equal(plan.dryRun, true);
  assert.equal(plan.revision.bumpedBy, 0n);
  const real = await restoreSnapshot(defaults(snap, path.join(dir, 'x', 'restored')));
  assert.deepEqual(plan.files, real.files);
  // The source is read, never written.
  assert.equal(Buffer.compare(readFileSync(snap), bytes), 0);
});

test('restoreSnapshot refuses a data dir that is not empty and leaves it alone', async (t) => {
  const dir = await tempDir(t);
  const snap = path.join(dir, 's.db');
  writeSnapshot(snap, ['a']);
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir);
  writeFileSync(path.join(dataDir, 'keep'), 'x');
  await assert.rejects(restoreSnapshot(defaults(snap, dataDir)), { code: 'restore-target-not-empty', message: `Cannot restore "${snap}": data dir "${dataDir}" is not empty` });
  assert.deepEqual(tree(dataDir), ['keep']);
  assert.deepEqual(readdirSync(dir).sort(), ['data', 's.db']);
});

test('restoreSnapshot fills an existing empty data dir and a separate WAL dir', async (t) => {
  const dir = await tempDir(t);
  const snap = path.join(dir, 's.db');
  writeSnapshot(snap, ['a']);
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir, { mode: 0o750 });
  const walDir = path.join(dir, 'wal', 'member-1');
  const report = await restoreSnapshot({ ...defaults(snap, dataDir), walDir });
  assert.deepEqual(tree(dataDir), ['member', 'member/snap', 'member/snap/0000000000000001-0000000000000001.snap', 'member/snap/db']);
  assert.deepEqual(tree(walDir), ['0000000000000000-0000000000000000.wal']);
  // Built inside the existing dir and published by renaming its children: the dir (a mount point, maybe) keeps its mode.
  assert.equal(statSync(dataDir).mode & 0o777, 0o750);
  assert.deepEqual(readdirSync(dir).sort(), ['data', 's.db', 'wal'], 'no staging dir is left beside it');
  assert.equal(report.walDir, walDir);
});

test('restoreSnapshot refuses a WAL dir that is not empty before reading the snapshot', async (t) => {
  const dir = await tempDir(t);
  const walDir = path.join(dir, 'wal');
  mkdirSync(walDir);
  writeFileSync(path.join(walDir, 'old.wal'), 'x');
  await assert.rejects(restoreSnapshot({ ...defaults(path.join(dir, 'missing.db'), path.join(dir, 'data')), walDir }), { code: 'restore-target-not-empty' });
  assert.deepEqual(readdirSync(dir).sort(), ['wal']);
});

test('restoreSnapshot fails with the digests and leaves nothing when the sha256 trailer does not match', async (t) => {
  const dir = await tempDir(t);
  const snap = path.join(dir, 's.db');
  const bytes = writeSnapshot(snap, ['a']);
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
  writeFileSync(snap, bytes);
  await assert.rejects(restoreSnapshot(defaults(snap, path.join(dir, 'p', 'data'))), (err: unknown) =>
    err instanceof ChecksumMismatchError && err.expected === Buffer.from(bytes.subarray(-32)).toString('hex') && err.message.startsWith(`Cannot restore "${snap}": sha256 mismatch`));
  assert.deepEqual(readdirSync(dir), ['s.db']);
  // --skip-hash-check restores it anyway (the data itself is intact).
  await restoreSnapshot({ ...defaults(snap, path.join(dir, 'p', 'data')), skipHashCheck: true });
  assert.ok(existsSync(path.join(dir, 'p', 'data', 'member', 'snap', 'db')));
});

test('restoreSnapshot with an expected sha256 (a manifest\'s) restores only an image that hashes to it and to its trailer', async (t) => {
  const dir = await tempDir(t);
  const snap = path.join(dir, 's.db');
  const bytes = writeSnapshot(snap, ['a']);
  const trailer = Buffer.from(bytes.subarray(-32)).toString('hex');
  const other = createHash('sha256').update('another image').digest('hex');
  // A self-consistent snapshot (trailer right) that is not the one the manifest recorded.
  await assert.rejects(restoreSnapshot({ ...defaults(snap, path.join(dir, 'x')), expectedSha256: other }), (err: unknown) =>
    err instanceof ChecksumMismatchError && err.expected === other && err.actual === trailer && /backup manifest/.test(err.message));
  assert.deepEqual(readdirSync(dir), ['s.db']);
  // The recorded hash does not excuse a wrong trailer.
  const flipped = Buffer.from(bytes);
  flipped[100] = (flipped[100] ?? 0) ^ 1;
  writeFileSync(snap, flipped);
  await assert.rejects(restoreSnapshot({ ...defaults(snap, path.join(dir, 'x')), expectedSha256: trailer }), (err: unknown) =>
    err instanceof ChecksumMismatchError && err.expected === trailer && err.actual !== trailer);
  assert.deepEqual(readdirSync(dir), ['s.db']);
  writeFileSync(snap, bytes);
  const report = await restoreSnapshot({ ...defaults(snap, path.join(dir, 'y')), expectedSha256: trailer.toUpperCase() });
  assert.equal(report.snapshot.hashChecked, true);
  assert.equal(report.snapshot.sha256, trailer);
  assert.ok(existsSync(path.join(dir, 'y', 'member', 'snap', 'db')));
  await assert.rejects(restoreSnapshot({ ...defaults(snap, path.join(dir, 'z')), skipHashCheck: true, expectedSha256: trailer }), RangeError);
});

test('restoreSnapshot refuses a truncated snapshot and a db without a trailer unless --skip-hash-check', async (t) => {
  const dir = await tempDir(t);
  const snap = path.join(dir, 's.db');
  const bytes = writeSnapshot(snap, ['a']);
  writeFileSync(snap, bytes.subarray(0, 8192 + 32));
  await assert.rejects(restoreSnapshot(defaults(snap, path.join(dir, 'data'))), { code: 'checksum-mismatch' });
  await assert.rejects(restoreSnapshot({ ...defaults(snap, path.join(dir, 'data')), skipHashCheck: true }), { code: 'restore-snapshot-invalid' });
  const raw = path.join(dir, 'raw.db');
  writeFileSync(raw, bytes.subarray(0, bytes.length - 32));
  await assert.rejects(restoreSnapshot(defaults(raw, path.join(dir, 'data'))), { code: 'restore-missing-hash' });
  assert.deepEqual(readdirSync(dir).sort(), ['raw.db', 's.db']);
  await restoreSnapshot({ ...defaults(raw, path.join(dir, 'data')), skipHashCheck: true });
  assert.equal(openBolt(randomAccessFromBytes(readFileSync(path.join(dir, 'data/member/snap/db')))).pageSize, 4096);
});

test('restoreSnapshot removes everything it built, parents included, when aborted mid-write', async (t) => {
  const dir = await tempDir(t);
  const snap = path.join(dir, 's.db');
  writeSnapshot(snap, Array.from({ length: 40000 }, (_, i) => `key-${String(i).padStart(6, '0')}`), 200);
  const controller = new AbortController();
  await assert.rejects(restoreSnapshot(defaults(snap, path.join(dir, 'a', 'b', 'data')), {
    signal: controller.signal,
    onProgress: (phase, done) => { if (phase === 'write' && done > 0) controller.abort(); },
  }), AbortedError);
  assert.deepEqual(readdirSync(dir), ['s.db']);
});

test('restoreSnapshot checks the flags like etcdutl before touching the disk', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(restoreSnapshot({ ...defaults(path.join(dir, 's.db'), path.join(dir, 'd')), bumpRevision: 10n }),
    (err: unknown) => err instanceof RestoreConfigError && err.message === '--mark-compacted required if --bump-revision > 0' && err.exitCode === 2);
  await assert.rejects(restoreSnapshot({ ...defaults(path.join(dir, 's.db'), path.join(dir, 'd')), name: 'other' }), RestoreConfigError);
  assert.deepEqual(readdirSync(dir), []);
});

test('restoreSnapshot points a kubeadm manifest at the restored dir and keeps the original outside the folder', async (t) => {
  const dir = await tempDir(t);
  const snap = path.join(dir, 's.db');
  writeSnapshot(snap, ['a']);
  const manifests = path.join(dir, 'kubernetes', 'manifests');
  mkdirSync(manifests, { recursive: true });
  const manifest = path.join(manifests, 'etcd.yaml');
  copyFileSync(path.join(repoRoot, 'test/fixtures/kubeadm/etcd.yaml'), manifest);
  const original = readFileSync(manifest, 'utf8');
  const dataDir = path.join(dir, 'etcd-restored');
  const report = await restoreSnapshot({ ...defaults(snap, dataDir), kubeadmManifest: manifest });
  assert.equal(report.manifest?.written, true);
  assert.deepEqual(readdirSync(manifests), ['etcd.yaml']);
  const backup = report.manifest?.backupPath as string;
  assert.equal(path.dirname(backup), path.join(dir, 'kubernetes'));
  assert.equal(readFileSync(backup, 'utf8'), original);
  assert.equal(readFileSync(manifest, 'utf8'), original.replaceAll('/var/lib/etcd\n', `${dataDir}\n`));
});

test('restoreSnapshot refuses an unrecognised manifest or a running API server before restoring', async (t) => {
  const dir = await tempDir(t);
  const snap = path.join(dir, 's.db');
  writeSnapshot(snap, ['a']);
  const manifests = path.join(dir, 'manifests');
  mkdirSync(manifests);
  const manifest = path.join(manifests, 'etcd.yaml');
  copyFileSync(path.join(repoRoot, 'test/fixtures/kubeadm/etcd-unrecognised.yaml'), manifest);
  await assert.rejects(restoreSnapshot({ ...defaults(snap, path.join(dir, 'data')), kubeadmManifest: manifest }), { code: 'etcd-manifest-unrecognised' });
  copyFileSync(path.join(repoRoot, 'test/fixtures/kubeadm/etcd.yaml'), manifest);
  writeFileSync(path.join(manifests, 'kube-apiserver.yaml'), 'kind: Pod\n');
  await assert.rejects(restoreSnapshot({ ...defaults(snap, path.join(dir, 'data')), kubeadmManifest: manifest }), { code: 'kube-apiserver-running' });
  assert.deepEqual(readdirSync(dir).sort(), ['manifests', 's.db']);
  assert.equal(readFileSync(manifest, 'utf8'), readFileSync(path.join(repoRoot, 'test/fixtures/kubeadm/etcd.yaml'), 'utf8'));
});

test('restoreSnapshot with durable: false (a drill\'s throwaway dir) writes byte-identical files with the same modes', async (t) => {
  const dir = await tempDir(t);
  const snap = path.join(dir, 's.db');
  writeSnapshot(snap, ['/registry/pods/default/a', '/registry/secrets/kube-system/b', 'plain']);
  const durable = await restoreSnapshot(defaults(snap, path.join(dir, 'durable')));
  const scratch = await restoreSnapshot({ ...defaults(snap, path.join(dir, 'scratch')), durable: false });
  assert.deepEqual(tree(path.join(dir, 'scratch')), tree(path.join(dir, 'durable')));
  for (const [i, f] of scratch.files.entries()) {
    const twin = durable.files[i]!.path;
    assert.deepEqual(readFileSync(f.path), readFileSync(twin), f.path);
    assert.equal(statSync(f.path).mode, statSync(twin).mode);
  }
  assert.deepEqual(scratch.revision, durable.revision);
});

test('restoreSnapshot writes its db 0600 and leaves the snapshot as it was when the snapshot is read-only (0400)', async (t) => {
  const dir = await tempDir(t);
  const snap = path.join(dir, 's.db');
  const bytes = writeSnapshot(snap, ['/a', '/b']);
  chmodSync(snap, 0o400);
  const report = await restoreSnapshot({ ...defaults(snap, path.join(dir, 'restored')), bumpRevision: 0n });
  // The db is a kernel copy of the snapshot, edited past its last page: mode fixed, source untouched.
  assert.equal(statSync(report.files[0]?.path as string).mode & 0o777, 0o600);
  assert.equal(statSync(snap).mode & 0o777, 0o400);
  assert.equal(Buffer.compare(readFileSync(snap), bytes), 0);
  assert.equal(report.revision.after, 3n);
});
