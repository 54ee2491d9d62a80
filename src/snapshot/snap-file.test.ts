import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { readFields } from '../protobuf/index.js';
import { crc32c } from './crc32c.js';
import { planRestoreCluster } from './member-id.js';
import { encodeSnapFile, snapFileName } from './snap-file.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('encodeSnapFile is byte-identical to etcdctl\'s when flags are the defaults (spec §6.3)', () => {
  const cluster = planRestoreCluster({
    name: 'default', initialCluster: 'default=http://localhost:2380', initialClusterToken: 'etcd-cluster',
    initialAdvertisePeerUrls: ['http://localhost:2380'],
  });
  const snap = encodeSnapFile(cluster.members);
  assert.equal(snap.name, '0000000000000001-0000000000000001.snap');
  assert.equal(snap.bytes.length, 6490);
  assert.equal(Buffer.from(snap.bytes.subarray(0, 12)).toString('hex'), '08b6f8818f0112d1320ab932');
  assert.ok(Buffer.from(snap.bytes).toString('hex').endsWith('2c2243757272656e7456657273696f6e223a327d12130a0d08cdd2918bd2b881cf8e01280010011801'));
  assert.equal(sha256(snap.bytes), '391e233526d2ed237b95d33b9d3c7975cf3db23b1913a478baacdeee4177b533');
});

test('encodeSnapFile is byte-identical to etcdctl\'s for three members (spec §6.2)', () => {
  const cluster = planRestoreCluster({
    name: 'b', initialCluster: 'a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,c=http://10.0.0.3:2380,c=https://10.0.0.3:2390',
    initialClusterToken: 'tok3', initialAdvertisePeerUrls: ['http://10.0.0.2:2380'],
  });
  const snap = encodeSnapFile(cluster.members);
  assert.equal(snap.name, '0000000000000001-0000000000000003.snap');
  assert.equal(snap.bytes.length, 7610);
  assert.equal(sha256(snap.bytes), '0fac8e2ab3fc7f8057799d6e3cf8b519cc7d396c68c69962e7c3d30b112c4856');
  // The stored crc (field 1) is a plain CRC-32C of the data field (2).
  const [crc, data] = [...readFields(snap.bytes)];
  assert.equal(crc?.varint.toString(16), '53c0471c');
  assert.equal(crc32c(data?.bytes ?? new Uint8Array()).toString(16), '53c0471c');
});

test('snapFileName pads term and index to 16 hex digits', () => {
  assert.equal(snapFileName(1n, 0x2an), '0000000000000001-000000000000002a.snap');
});
