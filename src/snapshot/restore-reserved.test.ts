import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoWriter } from '../protobuf/index.js';
import { isReservedKeyValue, ReservedKeyFilter } from './restore-reserved.js';
import { isReservedKey, RESERVED_PREFIX, RESERVED_RANGE_END } from './reserved-prefix.js';

const kv = (key: string, lease = 0n) => new ProtoWriter().bytes(1, key).varint(2, 5n).varint(3, 5n).varint(4, 1n).bytes(5, 'v').varintIfNonZero(6, lease).finish();

test('isReservedKeyValue matches keys under the reserved prefix only', () => {
  assert.equal(isReservedKeyValue(kv(`${RESERVED_PREFIX}election/backup`)), true);
  assert.equal(isReservedKeyValue(kv('/registry/pods/default/a')), false);
  assert.equal(isReservedKeyValue(kv('/kubekeeper.io')), false); // shorter than the prefix
  assert.equal(isReservedKeyValue(kv(`${RESERVED_PREFIX}${'x'.repeat(300)}`)), true); // two-byte length varint
  assert.equal(isReservedKeyValue(new Uint8Array(0)), false);
});

test('ReservedKeyFilter drops the leases of the keys it dropped and no other', () => {
  const filter = new ReservedKeyFilter();
  assert.equal(filter.dropKeyValue(kv(`${RESERVED_PREFIX}election/drill`, 0x694d7a5bf1c0a00dn)), true);
  assert.equal(filter.dropKeyValue(kv('/registry/events/default/e', 0x1111n)), false);
  const id = (v: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v); return b; };
  assert.equal(filter.dropLease(id(0x694d7a5bf1c0a00dn)), true);
  assert.equal(filter.dropLease(id(0x1111n)), false);
  assert.equal(filter.dropped, 1);
});

test('RESERVED_RANGE_END ends exactly the reserved prefix', () => {
  assert.equal(RESERVED_RANGE_END, '/kubekeeper.io0');
  assert.equal(isReservedKey('/kubekeeper.io/x'), true);
  assert.equal(isReservedKey(new TextEncoder().encode('/registry/x')), false);
});
