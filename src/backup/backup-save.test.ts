import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { minimalDb } from '../../test/fixtures/snapshot/minimal-db.js';
import { tempDir } from '../../test/support/temp.js';
import { generateIdentity, parseIdentityFile, parseRecipient, recipientFingerprint, zstdEngine } from '../crypto/index.js';
import { AbortedError, AppError } from '../errors.js';
import { ChecksumMismatchError } from '../snapshot/index.js';
import { type Backend, MemoryBackend, StorageError, replayableBody } from '../storage/index.js';
import { collect, listNames } from '../storage/testing.js';
import { downloadBackup } from './backup-download.js';
import { FAKE_SOURCE_INFO, fakeSnapshotSource, withTrailer } from './backup-fakes.js';
import { ObjectMismatchError } from './backup-object.js';
import { defaultBackupName, saveBackup } from './backup-save.js';
import { encodeManifest } from './manifest.js';
import { BackupRepository, manifestHandle } from './repository.js';

const keys = generateIdentity();
const recipients = [parseRecipient(keys.recipient)];
const identities = parseIdentityFile(keys.identity);
const snapshot = withTrailer(minimalDb());
const fixedNow = () => new Date('2024-05-10T12:00:00Z');

function repo(backend: Backend = new MemoryBackend()) {
  return new BackupRepository(backend);
}

test('saveBackup stores an encrypted, compressed snapshot and a manifest describing it', async () => {
  const r = repo();
  const result = await saveBackup(r, fakeSnapshotSource(snapshot, { chunkBytes: 511 }), { recipients, compression: 'gzip', now: fixedNow });
  const m = result.manifest;
  assert.equal(m.name, 'etcd-20240510T120000000Z');
  assert.equal(m.createdAt, '2024-05-10T12:00:00.000Z');
  assert.deepEqual(m.cluster, { ...FAKE_SOURCE_INFO });
  assert.equal(m.snapshot.sizeBytes, snapshot.length);
  assert.equal(m.snapshot.dbSha256, Buffer.from(snapshot.subarray(-32)).toString('hex'));
  assert.equal(m.compression, 'gzip');
  assert.deepEqual(m.encryption, { scheme: 'age', recipients: [recipientFingerprint(recipients[0]!)] });
  assert.match(m.kubekeeperVersion, /^\d+\.\d+\.\d+/);
  // One attempt token per save keeps racing saves of one name apart.
  assert.match(m.objects[0]?.name ?? '', /^etcd-20240510T120000000Z\.[0-9a-f]{8}\.snapshot\.db\.gz\.age$/);
  assert.equal(result.snapshotBytes, snapshot.length);
  assert.deepEqual(await listNames(r.backend, 'manifest'), ['etcd-20240510T120000000Z.json']);
  // The stored object is age (binary), not the plaintext.
  const stored = await r.backend.load({ type: 'data', name: m.objects[0]!.name }, collect);
  assert.equal(Buffer.from(stored.subarray(0, 21)).toString(), 'age-encryption.org/v1');
  const listing = await r.listBackups();
  assert.deepEqual(listing.backups.map((b) => [b.name, b.status]), [['etcd-20240510T120000000Z', 'ok']]);
});

test('saveBackup then downloadBackup gives back the snapshot byte for byte when the chunks are odd-sized', async (t) => {
  const dir = await tempDir(t);
  for (const [compression, chunkBytes] of [['gzip', 1], ['none', 513]] as const) {
    const r = repo();
    const { manifest } = await saveBackup(r, fakeSnapshotSource(snapshot, { chunkBytes }), { recipients, compression, name: `b-${compression}` });
    const out = path.join(dir, `${compression}.db`);
    const result = await downloadBackup(r, manifest.name, { identities, output: out });
    assert.deepEqual(new Uint8Array(await readFile(out)), snapshot);
    assert.equal(result.sizeBytes, snapshot.length);
    assert.equal((await stat(out)).mode & 0o777, 0o600);
  }
});

test('saveBackup refuses an unencrypted backup unless allowed, with a hint naming the flags', async () => {
  await assert.rejects(saveBackup(repo(), fakeSnapshotSource(snapshot), { recipients: [] }), (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'backup-no-recipient');
    assert.match(err.hint ?? '', /--recipient/);
    return true;
  });
  const r = repo();
  const { manifest } = await saveBackup(r, fakeSnapshotSource(snapshot), { recipients: [], allowUnencrypted: true, compression: 'none' });
  assert.deepEqual(manifest.encryption, { scheme: 'none' });
  assert.deepEqual(await r.backend.load({ type: 'data', name: manifest.objects[0]!.name }, collect), snapshot);
});

test('saveBackup stores nothing and lists nothing when the snapshot trailer does not match', async () => {
  const r = repo();
  const bad = snapshot.slice();
  bad[100] = (bad[100] ?? 0) ^ 0xff;
  await assert.rejects(saveBackup(r, fakeSnapshotSource(bad), { recipients }), ChecksumMismatchError);
  assert.deepEqual(await listNames(r.backend, 'data'), []);
  assert.deepEqual(await listNames(r.backend, 'manifest'), []);
});

test('saveBackup stores nothing when the member fails mid-stream, and rethrows its error', async () => {
  const r = repo();
  const dead = new AppError('etcd-unavailable', 'member went away');
  await assert.rejects(saveBackup(r, fakeSnapshotSource(snapshot, { failWith: dead, failAfterBytes: 4096 }), { recipients }), (err: unknown) => err === dead);
  assert.deepEqual(await listNames(r.backend, 'data'), []);
  assert.deepEqual((await r.listBackups()).backups, []);
});

test('saveBackup rejects with AbortedError and leaves nothing when interrupted', async () => {
  const r = repo();
  const controller = new AbortController();
  const source = fakeSnapshotSource(snapshot, { chunkBytes: 512 });
  const pending = saveBackup(r, source, { recipients, signal: controller.signal, onProgress: (p) => p.phase === 'snapshot' && p.doneBytes >= 2048 && controller.abort() });
  await assert.rejects(pending, AbortedError);
  assert.deepEqual(await listNames(r.backend, 'data'), []);
  assert.deepEqual(await listNames(r.backend, 'manifest'), []);
});

test('saveBackup removes the stored object and writes no manifest when the re-read does not match', async () => {
  // A store that keeps wrong bytes (what SDK checksums did to several S3-compatible stores).
  const memory = new MemoryBackend();
  const lying: Backend = {
    ...memory, location: memory.location,
    save: async (h, body, o) => {
      const result = await memory.save(h, body, o);
      memory.corrupt(h, (b) => {
        b[b.length - 1] = (b[b.length - 1] ?? 0) ^ 1;
        return b;
      });
      return result;
    },
    load: (h, c, o) => memory.load(h, c, o), stat: (h, o) => memory.stat(h, o), list: (t, o) => memory.list(t, o), remove: (h, o) => memory.remove(h, o),
    close: () => memory.close(),
  };
  await assert.rejects(saveBackup(repo(lying), fakeSnapshotSource(snapshot), { recipients }), ObjectMismatchError);
  assert.deepEqual(await listNames(memory, 'data'), []);
  assert.deepEqual(await listNames(memory, 'manifest'), []);
});

test('saveBackup refuses to overwrite an existing backup name', async () => {
  const r = repo();
  await saveBackup(r, fakeSnapshotSource(snapshot), { recipients, name: 'nightly' });
  await assert.rejects(saveBackup(r, fakeSnapshotSource(snapshot), { recipients, name: 'nightly' }), (err: unknown) => err instanceof AppError && err.code === 'backup-exists');
  await assert.rejects(saveBackup(r, fakeSnapshotSource(snapshot), { recipients, name: 'bad.name' }), (err: unknown) => err instanceof AppError && err.code === 'backup-name-invalid');
});

test('saveBackup bundles the included files into a tar that tar extracts, with no plaintext hash of them in an encrypted backup\'s manifest', async (t) => {
  const dir = await tempDir(t);
  const pki = path.join(dir, 'pki');
  await mkdir(path.join(pki, 'etcd'), { recursive: true });
  await writeFile(path.join(pki, 'ca.crt'), 'CA CERT\n');
  await writeFile(path.join(pki, 'etcd', 'ca.key'), 'SECRET KEY\n', { mode: 0o600 });
  await symlink('ca.crt', path.join(pki, 'ca-link.crt'));
  const longName = `${'x'.repeat(120)}.conf`;
  await writeFile(path.join(dir, longName), 'long\n');
  const r = repo();
  const { manifest } = await saveBackup(r, fakeSnapshotSource(snapshot), { recipients, compression: 'gzip', include: [pki, path.join(dir, longName)] });
  assert.deepEqual(manifest.objects.map((o) => o.role), ['bundle', 'snapshot']);
  const files = manifest.bundle?.files ?? [];
  const key = files.find((f) => f.path.endsWith('pki/etcd/ca.key'));
  assert.equal(key?.mode, 0o600);
  assert.equal(key?.sha256, undefined, 'a hash of a small secret would let a repository reader confirm guesses offline');
  assert.ok(!JSON.stringify(manifest).includes(createHash('sha256').update('SECRET KEY\n').digest('hex')));
  assert.equal(files.find((f) => f.type === 'symlink')?.linkTarget, 'ca.crt');

  const out = path.join(dir, 'out');
  await mkdir(out);
  await downloadBackup(r, manifest.name, { identities, output: path.join(out, 'snap.db'), bundleOutput: path.join(out, 'bundle.tar') });
  execFileSync('tar', ['-xf', path.join(out, 'bundle.tar'), '-C', out]);
  const rel = (p: string) => path.join(out, p.replace(/^\//, ''));
  assert.equal(await readFile(rel(path.join(pki, 'etcd', 'ca.key')), 'utf8'), 'SECRET KEY\n');
  assert.equal(await readFile(rel(path.join(pki, 'ca-link.crt')), 'utf8'), 'CA CERT\n');
  assert.equal(await readFile(rel(path.join(dir, longName)), 'utf8'), 'long\n');
});

test('saveBackup fails before taking the snapshot when an included path is missing', async () => {
  const source = fakeSnapshotSource(snapshot);
  await assert.rejects(saveBackup(repo(), source, { recipients, include: ['/nonexistent/pki'] }), (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'bundle-path-missing');
    assert.match(err.message, /"\/nonexistent\/pki": no such file or directory/);
    return true;
  });
  assert.equal(source.snapshotCalls, 0);
});

test('defaultBackupName is the UTC time, sortable and valid as an object name', () => {
  assert.equal(defaultBackupName(new Date('2024-01-02T03:04:05.678Z')), 'etcd-20240102T030405678Z');
  assert.notEqual(defaultBackupName(new Date('2024-01-02T03:04:05.001Z')), defaultBackupName(new Date('2024-01-02T03:04:05.002Z')), 'unique within a second');
});

test('downloadBackup with deferSnapshotHash checks the content size but leaves its hash to the caller', async (t) => {
  const dir = await tempDir(t);
  const r = repo();
  const { manifest } = await saveBackup(r, fakeSnapshotSource(snapshot), { recipients, compression: 'gzip', name: 'deferred' });
  const deferred = await downloadBackup(r, 'deferred', { identities, output: path.join(dir, 'a.db'), deferSnapshotHash: true });
  assert.deepEqual(new Uint8Array(await readFile(deferred.path)), snapshot);
  assert.equal(deferred.dbSha256, undefined, 'not hashed, so no image hash to report');
  const full = await downloadBackup(r, 'deferred', { identities, output: path.join(dir, 'b.db') });
  assert.equal(full.dbSha256, manifest.snapshot.dbSha256);

  const rewrite = async (change: (m: typeof manifest) => void) => {
    const copy = structuredClone(manifest);
    change(copy);
    await r.backend.remove(manifestHandle('deferred'));
    await r.backend.save(manifestHandle('deferred'), replayableBody(encodeManifest(copy)));
  };
  // A wrong content hash: only the full download can see it; the deferred caller must hash.
  await rewrite((m) => (m.objects[0]!.contentSha256 = createHash('sha256').update('other').digest('hex')));
  await assert.rejects(downloadBackup(r, 'deferred', { identities, output: path.join(dir, 'c.db') }), ObjectMismatchError);
  await downloadBackup(r, 'deferred', { identities, output: path.join(dir, 'd.db'), deferSnapshotHash: true });
  // A wrong size is caught either way, and nothing is written.
  await rewrite((m) => (m.objects[0]!.contentSizeBytes += 1));
  await assert.rejects(downloadBackup(r, 'deferred', { identities, output: path.join(dir, 'e.db'), deferSnapshotHash: true }), (err: unknown) =>
    err instanceof ObjectMismatchError && /content not hashed here/.test(err.message));
  await assert.rejects(stat(path.join(dir, 'e.db')), { code: 'ENOENT' });
});

test('downloadBackup with deferSnapshotHash lets the zstd program write the file; sizes and stored hashes still decide', { skip: zstdEngine() === 'program' ? false : 'zstd is not run as a program here' }, async (t) => {
  const dir = await tempDir(t);
  const r = repo();
  const { manifest } = await saveBackup(r, fakeSnapshotSource(snapshot), { recipients, compression: 'zstd', name: 'z' });
  assert.equal(manifest.objects[0]!.compression, 'zstd');
  const result = await downloadBackup(r, 'z', { identities, output: path.join(dir, 'z.db'), deferSnapshotHash: true });
  assert.deepEqual(new Uint8Array(await readFile(result.path)), snapshot);
  assert.equal((await stat(result.path)).mode & 0o777, 0o600);

  const copy = structuredClone(manifest);
  copy.objects[0]!.contentSizeBytes -= 1;
  await r.backend.remove(manifestHandle('z'));
  await r.backend.save(manifestHandle('z'), replayableBody(encodeManifest(copy)));
  // More content than the manifest records: decompression stops at the recorded size (issue 17 item 13).
  await assert.rejects(downloadBackup(r, 'z', { identities, output: path.join(dir, 'short.db'), deferSnapshotHash: true }), { code: 'decompress-too-large' });

  // A flipped stored byte: the stored sha256 fails after zstd has seen every byte; no file.
  const stored = await r.backend.load({ type: 'data', name: manifest.objects[0]!.name }, collect);
  stored[stored.length - 50] = (stored[stored.length - 50] ?? 0) ^ 1;
  await r.backend.remove({ type: 'data', name: manifest.objects[0]!.name });
  await r.backend.save({ type: 'data', name: manifest.objects[0]!.name }, replayableBody(stored));
  await assert.rejects(downloadBackup(r, 'z', { identities, output: path.join(dir, 'flipped.db'), deferSnapshotHash: true }));
  await assert.rejects(stat(path.join(dir, 'short.db')), { code: 'ENOENT' });
  await assert.rejects(stat(path.join(dir, 'flipped.db')), { code: 'ENOENT' });
  assert.deepEqual((await readdir(dir)).sort(), ['z.db']);
});

/**
 * S3 without If-None-Match: save checks the name first (not atomically), then the last
 * writer's object replaces the first one's.
 */
function lastWriterWins(inner: MemoryBackend): Backend {
  return {
    location: 's3://kk/race',
    async save(handle, body, options) {
      if (await inner.stat(handle).then(() => true, () => false)) throw new StorageError('storage-exists', `"${handle.name}" exists`);
      const bytes = await collect(body);
      await inner.remove(handle);
      return inner.save(handle, replayableBody(bytes), options);
    },
    load: (h, c, o) => inner.load(h, c, o),
    stat: (h, o) => inner.stat(h, o),
    list: (t, o) => inner.list(t, o),
    remove: (h, o) => inner.remove(h, o),
    close: () => inner.close(),
  };
}

test('saveBackup never exits 0 without its data when two saves of the same name race', async (t) => {
  for (const [kind, backend] of [['create-only', new MemoryBackend()], ['last-writer-wins', lastWriterWins(new MemoryBackend())]] as const) {
    const r = repo(backend);
    // Different snapshots, streamed in small chunks so the two saves interleave.
    const sources = [fakeSnapshotSource(snapshot, { chunkBytes: 97 }), fakeSnapshotSource(withTrailer(minimalDb()), { chunkBytes: 89 })];
    const results = await Promise.allSettled(sources.map((s) => saveBackup(r, s, { recipients, compression: 'gzip', name: 'same' })));
    const won = results.flatMap((x) => (x.status === 'fulfilled' ? [x.value.manifest] : []));
    assert.ok(won.length >= 1, `${kind}: one save succeeds`);
    for (const x of results) {
      if (x.status === 'rejected') assert.equal((x.reason as AppError).code, 'backup-exists', `${kind}: ${String(x.reason)}`);
    }
    // Every save that succeeded left its data stored; the listed backup is whole and reads back.
    const stored = new Set(await listNames(r.backend, 'data'));
    for (const m of won) for (const o of m.objects) assert.ok(stored.has(o.name), `${kind}: "${o.name}" of a successful save is stored`);
    const listing = await r.listBackups();
    assert.deepEqual(listing.backups.map((b) => [b.name, b.status]), [['same', 'ok']], kind);
    const out = path.join(await tempDir(t), `${kind}.db`);
    await downloadBackup(r, 'same', { identities, output: out });
  }
});

test('saveBackup succeeds when the manifest was stored but the answer was lost and the retry found it taken', async () => {
  const memory = new MemoryBackend();
  const backend: Backend = {
    ...bind(memory),
    async save(handle, body, options) {
      const result = await memory.save(handle, body, options);
      // The write landed; its answer did not, and the retried create-only PUT met our own object.
      if (handle.type === 'manifest') throw new StorageError('storage-exists', `"${handle.name}" exists`);
      return result;
    },
  };
  const r = repo(backend);
  const { manifest } = await saveBackup(r, fakeSnapshotSource(snapshot), { recipients, compression: 'gzip', name: 'lost-answer' });
  assert.deepEqual((await r.listBackups()).backups.map((b) => [b.name, b.status]), [['lost-answer', 'ok']]);
  assert.deepEqual(await listNames(memory, 'data'), manifest.objects.map((o) => o.name));
});

test('saveBackup names the objects it could not remove when clean-up fails after a failed save', async () => {
  const memory = new MemoryBackend();
  const down = () => new StorageError('storage-unavailable', 'endpoint down', { transient: true });
  const backend: Backend = {
    ...bind(memory),
    async save(handle, body, options) {
      if (handle.type === 'manifest') throw down();
      return memory.save(handle, body, options);
    },
    async load(handle, consume, options) {
      if (handle.type === 'manifest') throw down();
      return memory.load(handle, consume, options);
    },
    async remove() {
      throw down();
    },
  };
  await assert.rejects(saveBackup(repo(backend), fakeSnapshotSource(snapshot), { recipients, compression: 'gzip', name: 'left', attempt: '0a0b0c0d' }), (err: unknown) => {
    assert.ok(err instanceof StorageError);
    assert.equal(err.code, 'storage-unavailable');
    assert.match(err.message, /^endpoint down; clean-up could not remove "data\/left\.0a0b0c0d\.snapshot\.db\.gz\.age" from "memory:" \("kubekeeper backup prune" removes such orphans later\)$/);
    return true;
  });
});

/** A Backend object whose methods call `memory` (for spreading and overriding one method). */
function bind(memory: MemoryBackend): Backend {
  return {
    location: memory.location,
    save: (h, b, o) => memory.save(h, b, o),
    load: (h, c, o) => memory.load(h, c, o),
    stat: (h, o) => memory.stat(h, o),
    list: (t, o) => memory.list(t, o),
    remove: (h, o) => memory.remove(h, o),
    close: () => memory.close(),
  };
}
