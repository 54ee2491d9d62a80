import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoWriter, ProtobufError } from '../protobuf/index.js';
import { decodeAuthenticateResponse, decodeMemberListResponse, encodeAuthenticateRequest } from './cluster-messages.js';
import { decodeDeleteRangeResponse, decodeRangeResponse, encodeDeleteRangeRequest, encodePutRequest, encodeRangeRequest } from './kv-messages.js';
import { decodeAlarmResponse, decodeStatusResponse } from './maintenance-messages.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** A member ID above 2^63: must survive as a bigint. */
const BIG_ID = 13668033151171901709n;
const header = () => new ProtoWriter().varint(1, 0xd1cfaf999eb97a2an).varint(2, BIG_ID).varint(3, 112).varint(4, 2).finish();

test('encodeRangeRequest writes key, range_end, limit, revision, serializable and keys_only by field number', () => {
  const bytes = encodeRangeRequest({ key: 'a', rangeEnd: 'b', limit: 5, revision: 7n, serializable: true, keysOnly: true });
  // 0a 01 61 | 12 01 62 | 18 05 | 20 07 | 38 01 | 40 01
  assert.equal(hex(bytes), '0a0161120162180520073801' + '4001');
});

test('encodeRangeRequest leaves out proto3 defaults so a plain get is just the key', () => {
  assert.equal(hex(encodeRangeRequest({ key: 'health' })), '0a06' + Buffer.from('health').toString('hex'));
});

test('encodePutRequest and encodeDeleteRangeRequest use fields 1-3', () => {
  assert.equal(hex(encodePutRequest('k', 'v', 3n)), '0a016b1201761803');
  assert.equal(hex(encodeDeleteRangeRequest('a', '\0')), '0a0161120100');
  assert.equal(hex(encodeAuthenticateRequest('root', 'pw')), '0a04726f6f74120270' + '77');
});

test('decodeRangeResponse reads the header, key-values, more and count', () => {
  const kv = new ProtoWriter().bytes(1, 'k').varint(2, 3).varint(3, 9).varint(4, 2).bytes(5, 'v').varint(6, 0x7fffffffffffffffn).finish();
  const bytes = new ProtoWriter().bytes(1, header()).bytes(2, kv).varint(3, true).varint(4, 10).finish();
  const r = decodeRangeResponse(bytes);
  assert.equal(r.header.memberId, BIG_ID);
  assert.equal(r.header.revision, 112n);
  assert.equal(r.more, true);
  assert.equal(r.count, 10);
  assert.equal(r.kvs.length, 1);
  const first = r.kvs[0];
  assert.ok(first);
  assert.equal(Buffer.from(first.key).toString(), 'k');
  assert.equal(Buffer.from(first.value).toString(), 'v');
  assert.deepEqual([first.createRevision, first.modRevision, first.version, first.lease], [3n, 9n, 2n, 0x7fffffffffffffffn]);
});

test('decodeStatusResponse reads every StatusResponse field and skips unknown ones', () => {
  const bytes = new ProtoWriter().bytes(1, header()).bytes(2, '3.4.23').varint(3, 20480).varint(4, BIG_ID).varint(5, 4).varint(6, 2)
    .varint(7, 4).bytes(8, 'memberID:1 alarm:NOSPACE').varint(9, 16384).varint(10, true).bytes(11, '3.6.0').varint(12, 2147483648).bytes(13, new ProtoWriter().varint(1, true).bytes(2, '3.5.0').finish())
    .bytes(99, 'future field').finish();
  const s = decodeStatusResponse(bytes, '127.0.0.1:2379');
  assert.deepEqual({ ...s, header: undefined }, {
    endpoint: '127.0.0.1:2379', header: undefined, memberId: BIG_ID, clusterId: 0xd1cfaf999eb97a2an, version: '3.4.23', dbSize: 20480,
    dbSizeInUse: 16384, leader: BIG_ID, raftIndex: 4n, raftTerm: 2n, raftAppliedIndex: 4n, isLearner: true, errors: ['memberID:1 alarm:NOSPACE'],
    storageVersion: '3.6.0', dbSizeQuota: 2147483648, downgradeInfo: { enabled: true, targetVersion: '3.5.0' },
  });
});

test('decodeMemberListResponse reads members with repeated URLs and the learner flag', () => {
  const member = new ProtoWriter().varint(1, BIG_ID).bytes(2, 'etcd-0').bytes(3, 'https://10.0.0.1:2380').bytes(4, 'https://10.0.0.1:2379')
    .bytes(4, 'https://127.0.0.1:2379').varint(5, true).finish();
  const unstarted = new ProtoWriter().varint(1, 5).bytes(3, 'https://10.0.0.2:2380').finish();
  const list = decodeMemberListResponse(new ProtoWriter().bytes(1, header()).bytes(2, member).bytes(2, unstarted).finish());
  assert.deepEqual(list.members, [
    { id: BIG_ID, name: 'etcd-0', peerURLs: ['https://10.0.0.1:2380'], clientURLs: ['https://10.0.0.1:2379', 'https://127.0.0.1:2379'], isLearner: true },
    { id: 5n, name: '', peerURLs: ['https://10.0.0.2:2380'], clientURLs: [], isLearner: false },
  ]);
});

test('decodeAlarmResponse names NOSPACE and CORRUPT and flags unknown alarm types', () => {
  const alarm = (id: number, type: number) => new ProtoWriter().varint(1, id).varint(2, type).finish();
  const alarms = decodeAlarmResponse(new ProtoWriter().bytes(1, header()).bytes(2, alarm(1, 1)).bytes(2, alarm(2, 2)).bytes(2, alarm(3, 9)).finish());
  assert.deepEqual(alarms.map((a) => a.alarm), ['NOSPACE', 'CORRUPT', 'UNKNOWN']);
});

test('decodeDeleteRangeResponse and decodeAuthenticateResponse read their fields', () => {
  assert.deepEqual(decodeDeleteRangeResponse(new ProtoWriter().bytes(1, header()).varint(2, 3).finish()).deleted, 3);
  assert.equal(decodeAuthenticateResponse(new ProtoWriter().bytes(1, header()).bytes(2, 'tok.123').finish()), 'tok.123');
});

test('decoders throw ProtobufError on a truncated message', () => {
  const full = new ProtoWriter().bytes(1, header()).bytes(2, '3.4.23').finish();
  assert.throws(() => decodeStatusResponse(full.subarray(0, full.length - 2), 'e'), ProtobufError);
  assert.throws(() => decodeRangeResponse(new Uint8Array([0x12, 0x05, 0x0a])), ProtobufError);
});

test('decodeStatusResponse tells an empty downgradeInfo (3.6+) from an absent one (3.4/3.5)', () => {
  const base = new ProtoWriter().bytes(1, header()).bytes(2, '3.6.17');
  const empty = decodeStatusResponse(new ProtoWriter().bytes(1, header()).bytes(2, '3.6.17').bytes(13, new Uint8Array(0)).finish(), 'e');
  assert.deepEqual(empty.downgradeInfo, { enabled: false, targetVersion: '' });
  const absent = decodeStatusResponse(base.finish(), 'e');
  assert.equal('downgradeInfo' in absent, false);
  assert.deepEqual([absent.storageVersion, absent.dbSizeQuota], ['', 0]);
});
