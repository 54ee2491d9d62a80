import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minimalDb } from '../../test/fixtures/snapshot/minimal-db.js';
import { MemoryBackend, StorageError, replayableBody } from '../storage/index.js';
import { listNames } from '../storage/testing.js';
import { deleteBackup } from './backup-delete.js';
import { fakeSnapshotSource, withTrailer } from './backup-fakes.js';
import { pruneBackups } from './backup-prune.js';
import { saveBackup } from './backup-save.js';
import { BackupNotFoundError, BackupRepository } from './repository.js';

const snapshot = withTrailer(minimalDb());
const HOUR = 3_600_000;
const t0 = Date.parse('2024-05-10T00:00:00Z');

/** Five backups an hour apart (b0 oldest), stored unencrypted to keep the test small, with object names as before attempt tokens. */
async function fiveBackups(memoryNow?: () => Date) {
  const memory = new MemoryBackend(memoryNow ? { now: memoryNow } : {});
  const repo = new BackupRepository(memory);
  for (let i = 0; i < 5; i++) {
    await saveBackup(repo, fakeSnapshotSource(snapshot), { recipients: [], allowUnencrypted: true, compression: 'none', name: `b${i}`, attempt: '', now: () => new Date(t0 + i * HOUR) });
  }
  return { memory, repo };
}

test('pruneBackups removes what the plan says, manifests and data, and keeps the rest', async () => {
  const { memory, repo } = await fiveBackups();
  const result = await pruneBackups(repo, { policy: { keepLast: 2 }, now: new Date(t0 + 5 * HOUR) });
  assert.deepEqual(result.removedBackups, ['b2', 'b1', 'b0']);
  assert.equal(result.removedObjects, 6);
  assert.equal(result.removedBytes, 3 * snapshot.length);
  assert.deepEqual(await listNames(memory, 'manifest'), ['b3.json', 'b4.json']);
  assert.deepEqual(await listNames(memory, 'data'), ['b3.snapshot.db', 'b4.snapshot.db']);
});

test('pruneBackups --dry-run reports the same plan and removes nothing', async () => {
  const { memory, repo } = await fiveBackups();
  const result = await pruneBackups(repo, { policy: { keepLast: 2 }, now: new Date(t0 + 5 * HOUR), dryRun: true });
  assert.deepEqual(result.removedBackups, ['b2', 'b1', 'b0']);
  assert.equal(result.removedObjects, 6);
  assert.equal((await listNames(memory, 'manifest')).length, 5);
});

test('pruneBackups never touches damaged backups or objects it did not create, and collects old orphans only', async () => {
  let clock = t0;
  const { memory, repo } = await fiveBackups(() => new Date(clock));
  // b4's data vanished: incomplete, left alone. b0's manifest vanished: its data is an orphan.
  await memory.remove({ type: 'data', name: 'b4.snapshot.db' });
  await memory.remove({ type: 'manifest', name: 'b0.json' });
  clock = t0 + 48 * HOUR;
  await memory.save({ type: 'data', name: 'fresh.snapshot.db' }, replayableBody(new Uint8Array(10)));
  await memory.save({ type: 'data', name: 'someone-elses-file.bin' }, replayableBody(new Uint8Array(10)));
  const result = await pruneBackups(repo, { policy: { keepLast: 1 }, now: new Date(t0 + 48 * HOUR) });
  assert.deepEqual(result.skipped.map((s) => [s.name, s.status]), [['b4', 'incomplete']]);
  assert.deepEqual(result.plan.keep.map((d) => d.name), ['b3']);
  assert.deepEqual(result.removedBackups, ['b2', 'b1']);
  assert.deepEqual(result.orphans.map((o) => [o.name, o.action]), [['b0.snapshot.db', 'remove'], ['fresh.snapshot.db', 'keep']]);
  assert.deepEqual(await listNames(memory, 'data'), ['b3.snapshot.db', 'fresh.snapshot.db', 'someone-elses-file.bin']);
  assert.deepEqual(await listNames(memory, 'manifest'), ['b3.json', 'b4.json']);
});

test('pruneBackups keeps the newest good backup even with keep-last 0', async () => {
  const { repo } = await fiveBackups();
  const result = await pruneBackups(repo, { policy: { keepLast: 0 }, now: new Date(t0 + 5 * HOUR) });
  assert.deepEqual(result.plan.keep.map((d) => [d.name, d.reasons]), [['b4', ['newest verified backup (always kept)']]]);
  assert.equal((await repo.listBackups()).backups.length, 1);
});

test('deleteBackup removes the manifest before the data, and a second delete reports not found', async () => {
  const { memory, repo } = await fiveBackups();
  const order: string[] = [];
  const remove = memory.remove.bind(memory);
  memory.remove = async (h, o) => {
    order.push(`${h.type}/${h.name}`);
    return remove(h, o);
  };
  const result = await deleteBackup(repo, 'b1');
  assert.deepEqual(order, ['manifest/b1.json', 'data/b1.snapshot.db']);
  assert.deepEqual(result.removed, order);
  await assert.rejects(deleteBackup(repo, 'b1'), BackupNotFoundError);
});

test('pruneBackups aborts unfinished uploads older than the grace and keeps younger ones', async () => {
  const { memory } = await fiveBackups();
  const uploads = [
    { type: 'data' as const, name: 'old.0a0a0a0a.snapshot.db', uploadId: 'OLD', startedAt: new Date(t0 - 48 * HOUR) },
    { type: 'data' as const, name: 'new.0b0b0b0b.snapshot.db', uploadId: 'NEW', startedAt: new Date(t0 + 4.5 * HOUR) },
  ];
  const aborted: string[] = [];
  const backend = Object.assign(Object.create(memory) as MemoryBackend, {
    async *listUnfinished() {
      yield* uploads.filter((u) => !aborted.includes(u.uploadId));
    },
    async abortUnfinished(u: { uploadId: string }) {
      aborted.push(u.uploadId);
    },
  });
  const repo = new BackupRepository(backend);
  const dry = await pruneBackups(repo, { policy: { keepLast: 5 }, now: new Date(t0 + 5 * HOUR), dryRun: true });
  assert.deepEqual(dry.unfinishedUploads?.map((u) => [u.uploadId, u.action]), [['OLD', 'abort'], ['NEW', 'keep']]);
  assert.deepEqual(aborted, [], 'a dry run aborts nothing');
  const result = await pruneBackups(repo, { policy: { keepLast: 5 }, now: new Date(t0 + 5 * HOUR) });
  assert.deepEqual(result.unfinishedUploads?.map((u) => [u.object, u.action]), [['data/old.0a0a0a0a.snapshot.db', 'abort'], ['data/new.0b0b0b0b.snapshot.db', 'keep']]);
  assert.deepEqual(aborted, ['OLD']);
  assert.deepEqual((await repo.listBackups()).unfinishedUploads?.map((u) => u.uploadId), ['NEW']);
});

test('listBackups still lists backups, and says why, when the key may not list unfinished uploads', async () => {
  const { memory } = await fiveBackups();
  const backend = Object.assign(Object.create(memory) as MemoryBackend, {
    // eslint-disable-next-line require-yield
    async *listUnfinished(): AsyncGenerator<never> {
      throw new StorageError('storage-access-denied', 'Cannot list unfinished uploads in "s3://b/f": access denied by endpoint http://x (AccessDenied)');
    },
  });
  const listing = await new BackupRepository(backend).listBackups();
  assert.equal(listing.backups.length, 5);
  assert.equal(listing.unfinishedUploads, undefined);
  assert.match(listing.unfinishedUploadsError ?? '', /access denied .* \(the key needs s3:ListBucketMultipartUploads\)$/);
  // prune goes on without them.
  const result = await pruneBackups(new BackupRepository(backend), { policy: { keepLast: 5 }, now: new Date(t0 + 5 * HOUR) });
  assert.equal(result.unfinishedUploads, undefined);
});

/** Flips one byte of a stored data object, keeping its size (rot at rest). */
async function rot(memory: MemoryBackend, name: string): Promise<void> {
  memory.corrupt({ type: 'data', name }, (bytes) => {
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    return bytes;
  });
}

test('pruneBackups proves the newest backup by reading it back, and keeps the next good one when the newest is corrupt', async () => {
  const { memory, repo } = await fiveBackups();
  await rot(memory, 'b4.snapshot.db');
  const result = await pruneBackups(repo, { policy: { keepLast: 1 }, now: new Date(t0 + 5 * HOUR) });
  assert.equal(result.proven, 'b3');
  assert.deepEqual(result.skipped.map((s) => [s.name, s.status]), [['b4', 'damaged']]);
  assert.match(result.skipped[0]?.problems[0] ?? '', /sha256 mismatch/);
  assert.deepEqual(result.plan.keep.map((d) => [d.name, d.reasons[0]]), [['b3', 'newest verified backup (always kept)']]);
  assert.deepEqual(result.removedBackups, ['b2', 'b1', 'b0']);
  assert.deepEqual(await listNames(memory, 'manifest'), ['b3.json', 'b4.json'], 'the damaged one is reported, not removed; the good one stays');
});

test('pruneBackups removes nothing when no backup can be read back intact', async () => {
  const { memory, repo } = await fiveBackups();
  for (let i = 0; i < 5; i++) await rot(memory, `b${i}.snapshot.db`);
  await assert.rejects(pruneBackups(repo, { policy: { keepLast: 1 }, now: new Date(t0 + 5 * HOUR) }), { code: 'prune-unproven' });
  assert.equal((await listNames(memory, 'manifest')).length, 5);
});

test('a manifest dated in the future is listed as "future", is never latest, and prune leaves it alone', async () => {
  const { memory, repo } = await fiveBackups();
  await saveBackup(repo, fakeSnapshotSource(snapshot), { recipients: [], allowUnencrypted: true, compression: 'none', name: 'forged', now: () => new Date('2999-01-01T00:00:00Z') });
  const now = new Date(t0 + 5 * HOUR);
  const listing = await repo.listBackups(undefined, now);
  const forged = listing.backups.find((b) => b.name === 'forged');
  assert.equal(forged?.status, 'future');
  assert.match(forged?.problems[0] ?? '', /dated 2999-01-01T00:00:00.000Z, .* after this host's clock/);
  assert.equal((await repo.resolve('latest')).name, 'b4');
  const result = await pruneBackups(repo, { policy: { keepLast: 1 }, now });
  assert.deepEqual(result.plan.keep.map((d) => d.name), ['b4']);
  assert.ok(result.skipped.some((s) => s.name === 'forged' && s.status === 'future'));
  assert.ok((await listNames(memory, 'manifest')).includes('forged.json'));
});

test('deleteBackup does not report an object that was already gone as deleted', async () => {
  const { memory, repo } = await fiveBackups();
  // A listing that still shows an object another delete removed (S3 listings lag).
  const list = memory.list.bind(memory);
  memory.list = async function* (type, o) {
    yield* list(type, o);
    if (type === 'data') yield { name: 'b1.snapshot.db.gz', sizeBytes: 10 };
  };
  const result = await deleteBackup(repo, 'b1');
  assert.deepEqual(result.removed, ['manifest/b1.json', 'data/b1.snapshot.db']);
  assert.deepEqual(result.alreadyGone, ['data/b1.snapshot.db.gz']);
  assert.equal(result.removedBytes, snapshot.length);
});
