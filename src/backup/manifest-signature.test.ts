import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minimalDb } from '../../test/fixtures/snapshot/minimal-db.js';
import { generateSigningKey, type SigningKey } from '../crypto/index.js';
import { MemoryBackend, replayableBody } from '../storage/index.js';
import { loadBytes } from '../storage/testing.js';
import { fakeSnapshotSource, withTrailer } from './backup-fakes.js';
import { pruneBackups } from './backup-prune.js';
import { saveBackup } from './backup-save.js';
import { checkManifestSignature } from './manifest-signature.js';
import { BackupRepository, manifestHandle } from './repository.js';

const snapshot = withTrailer(minimalDb());
const HOUR = 3_600_000;
const t0 = Date.parse('2024-05-10T00:00:00Z');

async function save(repo: BackupRepository, name: string, at: number) {
  await saveBackup(repo, fakeSnapshotSource(snapshot), { recipients: [], allowUnencrypted: true, compression: 'none', name, now: () => new Date(at) });
}

/** s0 and s1 signed by `a`; "forged" written later by someone with bucket access but no key. */
async function repoWithForgery(a: SigningKey) {
  const memory = new MemoryBackend();
  const writer = new BackupRepository(memory, { signer: a });
  await save(writer, 's0', t0);
  await save(writer, 's1', t0 + HOUR);
  await save(new BackupRepository(memory), 'forged', t0 + 2 * HOUR);
  return memory;
}

test('checkManifestSignature tells signed, untrusted, altered and unsigned manifests apart', async () => {
  const a = generateSigningKey().key;
  const b = generateSigningKey().key;
  const memory = await repoWithForgery(a);
  const signed = await loadBytes(memory, manifestHandle('s1'));
  assert.deepEqual(checkManifestSignature(signed, [b.publicKey, a.publicKey]), { status: 'signed', keyId: a.publicKey.keyId() });
  assert.deepEqual(checkManifestSignature(signed, [b.publicKey]), { status: 'untrusted-signer', keyId: a.publicKey.keyId() });
  const altered = Buffer.from(Buffer.from(signed).toString('utf8').replace('"s1"', '"s9"'));
  assert.equal(checkManifestSignature(altered, [a.publicKey]).status, 'bad-signature');
  assert.deepEqual(checkManifestSignature(await loadBytes(memory, manifestHandle('forged')), [a.publicKey]), { status: 'unsigned' });
});

test('an unsigned manifest is never latest, refused by name unless allowUnsigned, when the reader trusts a signer', async () => {
  const a = generateSigningKey().key;
  const memory = await repoWithForgery(a);
  const reader = new BackupRepository(memory, { trust: { signers: [a.publicKey] } });
  assert.equal((await reader.resolve('latest')).name, 's1', 'the newer forged manifest is not latest');
  const listing = await reader.listBackups();
  assert.deepEqual(listing.backups.map((b) => [b.name, b.status]), [['forged', 'untrusted'], ['s1', 'ok'], ['s0', 'ok']]);
  assert.match(listing.backups[0]?.problems[0] ?? '', /manifest is unsigned \(legacy\): never latest/);
  await assert.rejects(reader.resolve('forged'), { code: 'backup-unsigned', message: /Refusing backup "forged": its manifest is unsigned \(legacy\)/ });
  const allowing = new BackupRepository(memory, { trust: { signers: [a.publicKey], allowUnsigned: true } });
  assert.equal((await allowing.resolve('forged')).name, 'forged');
  assert.equal((await allowing.resolve('latest')).name, 's1', 'allowUnsigned never makes it latest');
  // Without trusted signers a signed repository is refused rather than trusting the forged latest;
  // allowUnsigned alone keeps the old behaviour (the forged one is latest: what signatures are for).
  await assert.rejects(new BackupRepository(memory).resolve('latest'), { code: 'backup-signers-required', message: /holds signed backups \("s\d" is signed by an untrusted key/ });
  await assert.rejects(new BackupRepository(memory).resolve('forged'), { code: 'backup-signers-required', message: /was marked signed by its first signed backup/ });
  assert.equal((await new BackupRepository(memory, { trust: { signers: [], allowUnsigned: true } }).resolve('latest')).name, 'forged');
});

test('the first signed save marks the repository; a legacy repository without signed manifests reads as before', async () => {
  const legacy = new MemoryBackend();
  await save(new BackupRepository(legacy), 'old', t0);
  const reader = new BackupRepository(legacy);
  assert.equal(await reader.isMarkedSigned(), false);
  assert.equal((await reader.resolve('latest')).name, 'old');
  assert.equal((await reader.resolve('old')).name, 'old');
  const a = generateSigningKey().key;
  const writer = new BackupRepository(legacy, { signer: a });
  await save(writer, 'new', t0 + HOUR);
  assert.equal(await reader.isMarkedSigned(), true);
  // The writer trusts its own key: its listing counts the signed backup, not the legacy one.
  assert.deepEqual((await writer.listBackups()).backups.map((b) => [b.name, b.status]), [['new', 'ok'], ['old', 'untrusted']]);
  await assert.rejects(reader.resolve('old'), { code: 'backup-signers-required', hint: /--trusted-signer .*--allow-unsigned/ });
  // Stored objects are immutable: the next signing writer (a new process) finds the marker and goes on.
  const { manifest } = await writer.readSignedManifest('new');
  await new BackupRepository(legacy, { signer: a }).writeManifest({ ...manifest, name: 'again' });
  assert.equal(await writer.hasManifest('again'), true);
});

test('a manifest altered after signing is refused, and rotation trusts two keys at once', async () => {
  const a = generateSigningKey().key;
  const b = generateSigningKey().key;
  const memory = await repoWithForgery(a);
  await save(new BackupRepository(memory, { signer: b }), 's2', t0 + 3 * HOUR);
  const signed = Buffer.from(await loadBytes(memory, manifestHandle('s1'))).toString('utf8');
  await memory.remove(manifestHandle('s1'));
  await memory.save(manifestHandle('s1'), replayableBody(Buffer.from(signed.replace(/"revision": \d+/, '"revision": 999999'))));
  const reader = new BackupRepository(memory, { trust: { signers: [a.publicKey, b.publicKey] } });
  assert.deepEqual((await reader.listBackups()).backups.map((x) => [x.name, x.status]), [['s2', 'ok'], ['forged', 'untrusted'], ['s1', 'untrusted'], ['s0', 'ok']]);
  await assert.rejects(reader.resolve('s1'), { code: 'backup-unsigned', message: /signature does not verify/ });
});

test('pruneBackups counts only signed backups for retention and leaves unsigned ones alone', async () => {
  const a = generateSigningKey().key;
  const memory = await repoWithForgery(a);
  const reader = new BackupRepository(memory, { trust: { signers: [a.publicKey] } });
  const result = await pruneBackups(reader, { policy: { keepLast: 1 }, now: new Date(t0 + 3 * HOUR), dryRun: true });
  assert.deepEqual(result.removedBackups, ['s0'], 'keep-last 1 keeps the newest signed backup, not the forgery');
  assert.deepEqual(result.skipped.map((s) => [s.name, s.status]), [['forged', 'untrusted']]);
});

test('a reader holding an identity refuses a manifest saying "encryption: none" unless allowUnencrypted, even with allowUnsigned', async () => {
  const memory = new MemoryBackend();
  await save(new BackupRepository(memory), 'plain', t0);
  const reader = new BackupRepository(memory, { trust: { signers: [], expectEncrypted: true, allowUnsigned: true } });
  await assert.rejects(reader.resolve('plain'), { code: 'backup-unencrypted', message: /Refusing backup "plain": its manifest says the backup is not encrypted, but an identity or passphrase was given/ });
  await assert.rejects(reader.resolve('latest'), { code: 'backup-not-found' });
  assert.deepEqual((await reader.listBackups()).backups.map((b) => [b.name, b.status]), [['plain', 'untrusted']]);
  const allowing = new BackupRepository(memory, { trust: { signers: [], expectEncrypted: true, allowUnencrypted: true } });
  assert.equal((await allowing.resolve('latest')).name, 'plain');
  assert.equal((await new BackupRepository(memory).resolve('plain')).name, 'plain', 'a reader without a key reads it as before');
});
