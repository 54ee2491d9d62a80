import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { minimalDb } from '../../test/fixtures/snapshot/minimal-db.js';
import { tempDir } from '../../test/support/temp.js';
import { NoIdentityMatchError, generateIdentity, parseIdentityFile, parseRecipient, passphraseIdentity, passphraseRecipient } from '../crypto/index.js';
import { AppError } from '../errors.js';
import { MemoryBackend, replayableBody } from '../storage/index.js';
import { downloadBackup, resolveBackupToLocalFile, withBackupSnapshot } from './backup-download.js';
import { fakeSnapshotSource, withTrailer } from './backup-fakes.js';
import { saveBackup } from './backup-save.js';
import { verifyBackup } from './backup-verify.js';
import { ManifestError } from './manifest.js';
import { BackupNotFoundError, BackupRepository } from './repository.js';

const keys = generateIdentity();
const recipients = [parseRecipient(keys.recipient)];
const identities = parseIdentityFile(keys.identity);
const snapshot = withTrailer(minimalDb());

async function saved(name = 'b1') {
  const memory = new MemoryBackend();
  const repo = new BackupRepository(memory);
  const { manifest } = await saveBackup(repo, fakeSnapshotSource(snapshot), { recipients, compression: 'gzip', name });
  const object = { type: 'data' as const, name: manifest.objects[0]!.name };
  return { memory, repo, manifest, object };
}

const checkOf = (r: Awaited<ReturnType<typeof verifyBackup>>, name: string) => r.checks.find((c) => c.name === name);

test('verifyBackup passes every check, including the snapshot checks, when the key is given and nothing is damaged', async () => {
  const { repo } = await saved();
  const report = await verifyBackup(repo, 'b1', { identities });
  assert.equal(report.ok, true, JSON.stringify(report.checks));
  for (const name of ['manifest', 'stored:snapshot', 'content:snapshot', 'snapshot:trailer', 'snapshot:structure', 'snapshot:revisions', 'snapshot:manifest-hash']) {
    assert.equal(checkOf(report, name)?.ok, true, name);
  }
});

test('verifyBackup checks only the stored bytes and says so when no key is given', async () => {
  const { repo } = await saved();
  const report = await verifyBackup(repo, 'latest');
  assert.equal(report.ok, true);
  assert.equal(checkOf(report, 'stored:snapshot')?.ok, true);
  assert.equal(checkOf(report, 'content:snapshot')?.skipped, true);
});

test('verifyBackup fails the stored and content checks when a stored byte is flipped', async () => {
  const { memory, repo, object } = await saved();
  memory.corrupt(object, (b) => {
    b[200] = (b[200] ?? 0) ^ 0x01;
    return b;
  });
  const report = await verifyBackup(repo, 'b1', { identities });
  assert.equal(report.ok, false);
  assert.match(checkOf(report, 'stored:snapshot')?.detail ?? '', /sha256 is [0-9a-f]{64}, the manifest says/);
  assert.equal(checkOf(report, 'content:snapshot')?.ok, false);
  assert.match(checkOf(report, 'content:snapshot')?.detail ?? '', /Cannot decrypt/);
});

test('verifyBackup reports truncation as a size mismatch, and list marks the backup incomplete', async () => {
  const { memory, repo, object } = await saved();
  memory.corrupt(object, (b) => b.subarray(0, b.length - 100));
  const report = await verifyBackup(repo, 'b1', { identities });
  assert.equal(report.ok, false);
  assert.match(checkOf(report, 'stored:snapshot')?.detail ?? '', /truncated/);
  assert.match(checkOf(report, 'content:snapshot')?.detail ?? '', /Cannot decrypt/);
  const listing = await repo.listBackups();
  assert.equal(listing.backups[0]?.status, 'incomplete');
});

test('verifyBackup throws NoIdentityMatchError, not a failed check, when the key is wrong', async () => {
  const { repo } = await saved();
  const other = parseIdentityFile(generateIdentity().identity);
  await assert.rejects(verifyBackup(repo, 'b1', { identities: other }), NoIdentityMatchError);
});

test('verifyBackup fails a check and download fails, both with a hint, when the manifest names a missing object', async (t) => {
  const { memory, repo, object } = await saved();
  await memory.remove(object);
  const incomplete = (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'backup-incomplete');
    assert.match(err.hint ?? '', /backup delete b1/);
    return true;
  };
  const verified = await verifyBackup(repo, 'b1', { identities });
  assert.equal(verified.ok, false, 'a missing object is a problem found (exit 3)');
  assert.match(verified.checks.find((c) => c.name === 'stored:snapshot')?.detail ?? '', /is missing.*backup delete b1/);
  const dir = await tempDir(t);
  await assert.rejects(downloadBackup(repo, 'b1', { identities, output: path.join(dir, 'x.db') }), incomplete);
  assert.equal(existsSync(path.join(dir, 'x.db')), false);
  assert.deepEqual((await repo.listBackups()).backups.map((b) => [b.status, b.problems]), [['incomplete', [`snapshot object "${object.name}" is missing`]]]);
});

test('a backup whose manifest is missing is never listed, and its data shows as an orphan', async () => {
  const { memory, repo, object } = await saved();
  await memory.remove({ type: 'manifest', name: 'b1.json' });
  const listing = await repo.listBackups();
  assert.deepEqual(listing.backups, []);
  assert.deepEqual(listing.orphans.map((o) => [o.name, o.backupName]), [[object.name, 'b1']]);
  await assert.rejects(verifyBackup(repo, 'b1'), BackupNotFoundError);
  await assert.rejects(repo.resolve('latest'), BackupNotFoundError);
});

test('a manifest that is not valid JSON makes the backup invalid in the listing and fails verify with ManifestError', async () => {
  const memory = new MemoryBackend();
  const repo = new BackupRepository(memory);
  await memory.save({ type: 'manifest', name: 'broken.json' }, replayableBody(Buffer.from('{"format": "kubekeeper.backup/v1", ')));
  assert.deepEqual((await repo.listBackups()).backups.map((b) => b.status), ['invalid']);
  await assert.rejects(verifyBackup(repo, 'broken'), (err: unknown) => err instanceof ManifestError && err.exitCode === 3);
});

test('downloadBackup leaves no file when the stored object is damaged or the key is wrong', async (t) => {
  const dir = await tempDir(t);
  const { memory, repo, object } = await saved();
  const other = parseIdentityFile(generateIdentity().identity);
  await assert.rejects(downloadBackup(repo, 'b1', { identities: other, output: path.join(dir, 'a.db') }), NoIdentityMatchError);
  memory.corrupt(object, (b) => {
    b[b.length - 5] = (b[b.length - 5] ?? 0) ^ 0x80;
    return b;
  });
  await assert.rejects(downloadBackup(repo, 'b1', { identities, output: path.join(dir, 'b.db') }), AppError);
  assert.deepEqual([existsSync(path.join(dir, 'a.db')), existsSync(path.join(dir, 'b.db'))], [false, false]);
});

test('downloadBackup refuses to overwrite an existing file unless asked', async (t) => {
  const dir = await tempDir(t);
  const { repo } = await saved();
  const out = path.join(dir, 'snap.db');
  await downloadBackup(repo, 'b1', { identities, output: out });
  await assert.rejects(downloadBackup(repo, 'b1', { identities, output: out }), (err: unknown) => err instanceof AppError && err.code === 'file-exists');
  await downloadBackup(repo, 'b1', { identities, output: out, overwrite: true });
});

test('resolveBackupToLocalFile fetches the latest backup into the given directory', async (t) => {
  const dir = await tempDir(t);
  const { repo } = await saved('first');
  await saveBackup(repo, fakeSnapshotSource(snapshot), { recipients, name: 'second', now: () => new Date(Date.now() + 60_000) });
  const local = await resolveBackupToLocalFile(repo, 'latest', identities, dir);
  assert.equal(local.manifest.name, 'second');
  assert.equal(local.path, path.join(dir, 'second.db'));
  assert.equal(local.sizeBytes, snapshot.length);
});

test('a passphrase backup decrypts with the passphrase and reports a wrong one clearly', async (t) => {
  const dir = await tempDir(t);
  const repo = new BackupRepository(new MemoryBackend());
  // Work factor 10 keeps the test fast; the product uses age's default (18).
  await saveBackup(repo, fakeSnapshotSource(snapshot), { recipients: [passphraseRecipient('correct horse', 10)], name: 'pw' });
  await downloadBackup(repo, 'pw', { identities: [passphraseIdentity('correct horse')], output: path.join(dir, 'ok.db') });
  await assert.rejects(downloadBackup(repo, 'pw', { identities: [passphraseIdentity('wrong')], output: path.join(dir, 'bad.db') }), /wrong passphrase/);
});

test('withBackupSnapshot hands over a checked snapshot file and removes its temp dir afterwards', async (t) => {
  const workDir = await tempDir(t);
  const { repo } = await saved();
  let seen = '';
  const size = await withBackupSnapshot(repo, 'latest', identities, async (file) => {
    seen = file.path;
    assert.equal(file.manifest.name, 'b1');
    return (await readFile(file.path)).length;
  }, { workDir });
  assert.equal(size, snapshot.length);
  assert.equal(existsSync(seen), false);
  assert.deepEqual(await readdir(workDir), []);
});

test('verifyBackup reports a missing object as a failed check (exit 3), and a broken manifest as a problem found', async () => {
  const memory = new MemoryBackend();
  const r = new BackupRepository(memory);
  const { manifest } = await saveBackup(r, fakeSnapshotSource(withTrailer(minimalDb())), { recipients: [], allowUnencrypted: true, compression: 'none', name: 'gone' });
  await memory.remove({ type: 'data', name: manifest.objects[0]?.name ?? '' });
  const result = await verifyBackup(r, 'gone');
  assert.equal(result.ok, false);
  assert.deepEqual(result.checks.filter((c) => !c.ok).map((c) => c.name), ['stored:snapshot']);
  assert.match(result.checks.find((c) => c.name === 'stored:snapshot')?.detail ?? '', /is missing/);
  await memory.save({ type: 'manifest', name: 'broken.json' }, replayableBody(new TextEncoder().encode('{not json')));
  await assert.rejects(verifyBackup(r, 'broken'), (err: AppError) => err.code === 'backup-manifest-invalid' && err.exitCode === 3);
});
