import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minimalDb } from '../../test/fixtures/snapshot/minimal-db.js';
import { parseRecipient, generateIdentity } from '../crypto/index.js';
import { MemoryBackend } from '../storage/index.js';
import { chunksOf, collect, testBytes } from '../storage/testing.js';
import { fakeSnapshotSource, withTrailer } from './backup-fakes.js';
import { PROBE_BYTES, probeCompression } from './backup-probe.js';
import { saveBackup } from './backup-save.js';
import { BackupRepository } from './repository.js';

const text = (n: number) => new Uint8Array(Buffer.from('apiVersion: v1\nkind: ConfigMap\n'.repeat(Math.ceil(n / 31))).subarray(0, n));
const recipients = [parseRecipient(generateIdentity().recipient)];

test('probeCompression keeps the codec for data that compresses and gives back every byte in order', async () => {
  const bytes = text(PROBE_BYTES + 12345);
  const probed = await probeCompression(chunksOf(bytes, 513), 'gzip', 1);
  assert.equal(probed.compression, 'gzip');
  assert.ok(probed.sampleCompressedBytes < probed.sampleBytes / 10);
  assert.deepEqual(await collect(probed.stream), bytes);
});

test('probeCompression switches to none for random data, and handles a stream shorter than the sample', async () => {
  const bytes = testBytes(100_000);
  const probed = await probeCompression(chunksOf(bytes, 511), 'gzip', 1);
  assert.equal(probed.compression, 'none');
  assert.equal(probed.sampleBytes, bytes.length);
  assert.deepEqual(await collect(probed.stream), bytes);
});

test('saveBackup stores incompressible snapshot data uncompressed by default, and as asked when a codec is named', async () => {
  // A valid snapshot whose free pages are random: what encrypted Secrets look like.
  const db = minimalDb();
  const big = new Uint8Array(db.length + 4096 * 64);
  big.set(db);
  big.set(testBytes(4096 * 64), db.length);
  const snapshot = withTrailer(big);
  const repo = new BackupRepository(new MemoryBackend());
  const auto = await saveBackup(repo, fakeSnapshotSource(snapshot), { recipients, name: 'auto', attempt: '' });
  assert.deepEqual(auto.manifest.objects.map((o) => [o.name, o.compression]), [['auto.snapshot.db.age', 'none']]);
  const forced = await saveBackup(repo, fakeSnapshotSource(snapshot), { recipients, name: 'forced', compression: 'gzip', attempt: '' });
  assert.deepEqual(forced.manifest.objects.map((o) => [o.name, o.compression]), [['forced.snapshot.db.gz.age', 'gzip']]);
});
