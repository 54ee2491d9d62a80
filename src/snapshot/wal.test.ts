import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { planRestoreCluster } from './member-id.js';
import { WAL_SEGMENT_BYTES, encodeRestoreWal, walFileName } from './wal.js';

/** The §6.3 hexdump of the default restore's WAL, 272 bytes. */
const DEFAULT_WAL_HEAD = `
04000000000000840804100000000000 2000000000000000080110bb81c7fc05 1a1608cdd2918bd2b881cf8e0110b298
eaf1948386fccd010e00000000000082 08051094bbc7ed0e1a04080010000000 7400000000000084080210c2ee92950b
1a6a08011001180122620800100018cd d2918bd2b881cf8e0122517b22696422 3a313032373636353737343339333239
37353433372c227065657255524c7322 3a5b22687474703a2f2f6c6f63616c68 6f73743a32333830225d2c226e616d65
223a2264656661756c74227d00000000 19000000000000870803109b98d6c308 1a0f080110cdd2918bd2b881cf8e0118
01000000000000000e00000000000082 080510b8e0e0e1061a04080110010000`.replace(/\s+/g, '');

const defaults = planRestoreCluster({
  name: 'default', initialCluster: 'default=http://localhost:2380', initialClusterToken: 'etcd-cluster',
  initialAdvertisePeerUrls: ['http://localhost:2380'],
});

/** sha256 of the whole preallocated segment: the head, then zeros up to 64 000 000 bytes. */
function segmentSha256(head: Uint8Array): string {
  const hash = createHash('sha256').update(head);
  const zeros = new Uint8Array(1 << 20);
  for (let left = WAL_SEGMENT_BYTES - head.length; left > 0; left -= zeros.length) hash.update(zeros.subarray(0, Math.min(left, zeros.length)));
  return hash.digest('hex');
}

/** The crc field of each record, walking the frames. */
function recordCrcs(head: Uint8Array): string[] {
  const out: string[] = [];
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  for (let off = 0; off + 8 <= head.length;) {
    const len = view.getUint32(off, true);
    const pad = view.getUint8(off + 7) & 0x7f;
    // Record: 08 <type> 10 <crc varint> ...
    let crc = 0;
    let shift = 0;
    for (let p = off + 8 + 3; ; p++, shift += 7) {
      const b = head[p] as number;
      crc += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
    }
    out.push(crc.toString(16).padStart(8, '0'));
    off += 8 + len + pad;
  }
  return out;
}

test('encodeRestoreWal is byte-identical to etcdctl 3.4 when flags are the defaults (spec §6.3)', () => {
  const wal = encodeRestoreWal(defaults, '3.4');
  assert.equal(wal.name, '0000000000000000-0000000000000000.wal');
  assert.equal(Buffer.from(wal.head).toString('hex'), DEFAULT_WAL_HEAD);
  assert.equal(segmentSha256(wal.head), '73fd7868675205938f74fe11200674fec6b6704f3a3e0412e55e4ded923099f3');
});

test('encodeRestoreWal adds the ConfState to the last record when the flavour is 3.5 (spec §6.3)', () => {
  const wal = encodeRestoreWal(defaults, '3.5');
  assert.equal(Buffer.from(wal.head.subarray(0, 0xf8)).toString('hex'), DEFAULT_WAL_HEAD.slice(0, 0xf8 * 2));
  assert.equal(Buffer.from(wal.head.subarray(0xf8)).toString('hex'),
    '1d00000000000083' + '0805108d9eaeef0d1a130801100' + '11a0d08cdd2918bd2b881cf8e012800' + '000000');
  assert.equal(segmentSha256(wal.head), '0b4a5ce53d6a11fb4489ae93ea6c2c717bd5ba3889821561512ef36598e10221');
});

test('encodeRestoreWal chains CRCs like etcdctl for three members restored as b (spec §6.2)', () => {
  const cluster = planRestoreCluster({
    name: 'b', initialCluster: 'a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,c=http://10.0.0.3:2380,c=https://10.0.0.3:2390',
    initialClusterToken: 'tok3', initialAdvertisePeerUrls: ['http://10.0.0.2:2380'],
  });
  const wal = encodeRestoreWal(cluster, '3.4');
  assert.deepEqual(recordCrcs(wal.head), ['00000000', 'f98b90ee', 'bfad05cf', '78fd09dd', 'efe344aa', 'e550e453', 'f90ed6e1', 'f893e80f']);
  assert.equal(segmentSha256(wal.head), '9a96d00371adcebc8b3d7fb0183ea7d90a9ad487758bdef292f4490b79073713');
});

test('walFileName pads sequence and index to 16 hex digits', () => {
  assert.equal(walFileName(1n, 255n), '0000000000000001-00000000000000ff.wal');
});
