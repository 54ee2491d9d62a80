import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoWriter, readFields } from '../protobuf/index.js';
import { decodeAlarmList, decodeHashKVResponse, encodeAlarmRequest, encodeHashKVRequest, encodeMoveLeaderRequest } from './maintenance-rpc.js';

const BIG_ID = 0xc8a4d65c9617882dn;
const fields = (buf: Uint8Array) => [...readFields(buf)].map((f) => [f.field, f.varint]);

test('decodeHashKVResponse reads a uint32 hash and a negative compact revision (never compacted: -1)', () => {
  const header = new ProtoWriter().varint(1, 7).varint(2, BIG_ID).varint(3, 15).varint(4, 2).finish();
  const minusOne = 0xffffffffffffffffn;
  const h = decodeHashKVResponse(new ProtoWriter().bytes(1, header).varint(2, 3065956591).varint(3, minusOne).varint(4, 15).finish());
  assert.deepEqual(h, { header: { clusterId: 7n, memberId: BIG_ID, revision: 15n, raftTerm: 2n }, hash: 3065956591, compactRevision: -1n, hashRevision: 15n });
});

test('the HashKV, MoveLeader and Alarm requests carry their fields, zero values left out', () => {
  assert.deepEqual(fields(encodeHashKVRequest(0n)), []);
  assert.deepEqual(fields(encodeHashKVRequest(42n)), [[1, 42n]]);
  assert.deepEqual(fields(encodeMoveLeaderRequest(BIG_ID)), [[1, BIG_ID]]);
  assert.deepEqual(fields(encodeAlarmRequest('DEACTIVATE', BIG_ID, 'NOSPACE')), [[1, 2n], [2, BIG_ID], [3, 1n]]);
  assert.deepEqual(fields(encodeAlarmRequest('GET')), []);
});

test('decodeAlarmList tells a missing header (etcd 3.4) from a present one', () => {
  const alarm = new ProtoWriter().varint(1, BIG_ID).varint(2, 1).finish();
  assert.deepEqual(decodeAlarmList(new ProtoWriter().bytes(2, alarm).finish()), { header: undefined, alarms: [{ memberId: BIG_ID, alarm: 'NOSPACE' }] });
  const withHeader = decodeAlarmList(new ProtoWriter().bytes(1, new ProtoWriter().varint(4, 2).finish()).finish());
  assert.deepEqual(withHeader, { header: { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 2n }, alarms: [] });
});
