import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoWriter } from '../protobuf/index.js';
import { decodeMemberAddResponse, encodeMemberAddRequest, encodeMemberIdRequest, encodeMemberListRequest } from './cluster-messages.js';

test('membership requests encode as etcd expects: peer URLs, learner flag, member ID, linearizable', () => {
  assert.deepEqual([...encodeMemberAddRequest(['http://a:2380'], true)], [0x0a, 13, ...Buffer.from('http://a:2380'), 0x10, 1]);
  assert.deepEqual([...encodeMemberAddRequest(['http://a:2380'], false)], [0x0a, 13, ...Buffer.from('http://a:2380')]);
  // A member ID above 2^63 stays an unsigned 64-bit varint (10 bytes).
  assert.deepEqual([...encodeMemberIdRequest(0xbdae4bd4f6ba1d0dn)], [...new ProtoWriter().varint(1, 0xbdae4bd4f6ba1d0dn).finish()]);
  assert.equal(encodeMemberIdRequest(0xbdae4bd4f6ba1d0dn).length, 11);
  assert.deepEqual([...encodeMemberListRequest(true)], [0x08, 1]);
  assert.deepEqual([...encodeMemberListRequest(false)], []);
});

test('decodeMemberAddResponse returns the added member and the member list', () => {
  const added = new ProtoWriter().varint(1, 7n).bytes(3, 'http://a:2380').varint(5, true).finish();
  const other = new ProtoWriter().varint(1, 1n).bytes(2, 'm1').bytes(3, 'http://b:2380').bytes(4, 'http://b:2379').finish();
  const decoded = decodeMemberAddResponse(new ProtoWriter().bytes(2, added).bytes(3, other).bytes(3, added).finish());
  assert.deepEqual(decoded.member, { id: 7n, name: '', peerURLs: ['http://a:2380'], clientURLs: [], isLearner: true });
  assert.deepEqual(decoded.members.map((m) => m.name), ['m1', '']);
});
