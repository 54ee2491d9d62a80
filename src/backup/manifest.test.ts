import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Manifest, ManifestError, backupNameOfObject, encodeManifest, objectNameFor } from './manifest.js';
import { parseManifest } from './manifest-parse.js';

const HASH = 'a'.repeat(64);
const manifest: Manifest = {
  format: 'kubekeeper.backup/v1', name: 'nightly', createdAt: '2024-05-10T12:00:00.000Z', completedAt: '2024-05-10T12:00:05.000Z',
  cluster: { clusterId: 'cdf818194e3a8c32', memberId: '8e9e05c52164694d', endpoint: 'https://10.0.0.1:2379', etcdVersion: '3.4.23', revision: 42, dbSizeBytes: 20480 },
  snapshot: { sizeBytes: 20512, sha256: HASH, dbSha256: HASH },
  compression: 'zstd', encryption: { scheme: 'age', recipients: ['0123456789abcdef'] },
  objects: [{ role: 'snapshot', name: 'nightly.snapshot.db.zst.age', compression: 'zstd', sizeBytes: 1000, sha256: HASH, contentSizeBytes: 20512, contentSha256: HASH }],
  bundle: { files: [{ path: 'etc/kubernetes/pki/', type: 'directory', mode: 0o755, sizeBytes: 0 }] },
  kubekeeperVersion: '0.1.0',
};

const edit = (f: (m: Record<string, unknown>) => void) => {
  const copy = JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>;
  f(copy);
  return Buffer.from(JSON.stringify(copy));
};

test('parseManifest reads back what encodeManifest wrote', () => {
  assert.deepEqual(parseManifest(encodeManifest(manifest), 'nightly'), manifest);
});

test('parseManifest names the problem when a field is missing, malformed or foreign', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['not json', Buffer.from('{'), /not JSON/],
    ['format', edit((m) => (m.format = 'other/v9')), /format is "other\/v9"/],
    ['name', Buffer.from(encodeManifest(manifest)), /does not match/],
    ['hash', edit((m) => ((m.snapshot as Record<string, unknown>).sha256 = 'xyz')), /sha256 is missing or malformed/],
    ['size', edit((m) => ((m.cluster as Record<string, unknown>).revision = -1)), /revision is not a non-negative integer/],
    ['compression', edit((m) => (m.compression = 'lz4')), /compression is unknown/],
    ['foreign object', edit((m) => (((m.objects as Record<string, unknown>[])[0] as Record<string, unknown>).name = 'other.snapshot.db')), /does not belong to backup "nightly"/],
    ['path escape', edit((m) => (((m.objects as Record<string, unknown>[])[0] as Record<string, unknown>).name = '../../etc/passwd')), /does not belong/],
    ['no snapshot', edit((m) => (m.objects = [])), /objects is empty/],
  ];
  for (const [label, bytes, re] of cases) {
    assert.throws(() => parseManifest(bytes, label === 'name' ? 'other' : 'nightly'), (err: unknown) => err instanceof ManifestError && re.test(err.message), label);
  }
});

test('parseManifest takes the backup codec for an object that does not name its own', () => {
  const bytes = edit((m) => delete ((m.objects as Record<string, unknown>[])[0] as Record<string, unknown>).compression);
  assert.equal(parseManifest(bytes, 'nightly').objects[0]?.compression, 'zstd');
  assert.throws(() => parseManifest(edit((m) => (((m.objects as Record<string, unknown>[])[0] as Record<string, unknown>).compression = 'lz4')), 'nightly'), /objects\[0\]\.compression is unknown/);
});

test('parseManifest refuses a manifest larger than the limit before parsing it', () => {
  assert.throws(() => parseManifest(new Uint8Array(5 * 1024 * 1024), 'nightly'), /larger than/);
});

test('object names encode role, compression and encryption, and map back to their backup', () => {
  assert.equal(objectNameFor('nightly', 'snapshot', 'zstd', true), 'nightly.snapshot.db.zst.age');
  assert.equal(objectNameFor('nightly', 'bundle', 'gzip', false), 'nightly.bundle.tar.gz');
  assert.equal(backupNameOfObject('nightly.snapshot.db.zst.age'), 'nightly');
  assert.equal(backupNameOfObject('nightly.bundle.tar'), 'nightly');
  assert.equal(backupNameOfObject('notes.txt'), undefined);
  assert.equal(backupNameOfObject('a.b.snapshot.db'), undefined);
});

test('object names carry the save attempt token, and names without one (older versions) still belong to their backup', () => {
  assert.equal(objectNameFor('nightly', 'snapshot', 'zstd', true, '0a1b2c3d'), 'nightly.0a1b2c3d.snapshot.db.zst.age');
  assert.equal(backupNameOfObject('nightly.0a1b2c3d.snapshot.db.zst.age'), 'nightly');
  assert.equal(backupNameOfObject('nightly.snapshot.db.zst.age'), 'nightly');
  assert.equal(backupNameOfObject('nightly.0A1B2C3D.snapshot.db'), undefined);
  assert.equal(backupNameOfObject('nightly.0a1b2c.snapshot.db'), undefined);
});
