import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoWriter } from '../protobuf/index.js';
import { decodeWatchResponse } from './watch-messages.js';

const kv = (key: string, modRevision: bigint, extra: (w: ProtoWriter) => ProtoWriter = (w) => w) =>
  extra(new ProtoWriter().bytes(1, key).varint(2, 5n).varint(3, modRevision).varint(4, 2n)).finish();

test('decodeWatchResponse keeps each event\'s KeyValue bytes as sent, with its key, mod_revision and type', () => {
  // A put with a lease ID past 2^53 and a value, a delete (type 1, key and mod_revision only), then the header.
  const put = kv('/registry/pods/a', 123456789012n, (w) => w.bytes(5, 'value').varint(6, 0x694d7ae4a8b5b1c3n));
  const del = new ProtoWriter().bytes(1, '/registry/pods/b').varint(3, 123456789012n).finish();
  const response = new ProtoWriter()
    .bytes(1, new ProtoWriter().varint(1, 7n).varint(3, 123456789013n).finish())
    .varint(2, 3n)
    .bytes(11, new ProtoWriter().bytes(2, put).finish())
    .bytes(11, new ProtoWriter().varint(1, 1n).bytes(2, del).finish())
    .varint(7, 1n)
    .finish();
  const r = decodeWatchResponse(response);
  assert.equal(r.header.revision, 123456789013n);
  assert.equal(r.watchId, 3n);
  assert.equal(r.fragment, true);
  assert.equal(r.events.length, 2);
  const [a, b] = r.events;
  assert.deepEqual([a?.type, Buffer.from(a?.key ?? []).toString(), a?.modRevision], ['put', '/registry/pods/a', 123456789012]);
  assert.deepEqual(a?.kvBytes, put, 'the KeyValue bytes exactly as sent');
  assert.deepEqual([b?.type, Buffer.from(b?.key ?? []).toString(), b?.modRevision], ['delete', '/registry/pods/b', 123456789012]);
  assert.deepEqual(b?.kvBytes, del);
});

test('decodeWatchResponse reads created, canceled, compaction and progress responses', () => {
  const r = decodeWatchResponse(new ProtoWriter().varint(4, 1n).varint(5, 42n).bytes(6, 'compacted').finish());
  assert.deepEqual([r.canceled, r.compactRevision, r.cancelReason, r.events.length], [true, 42n, 'compacted', 0]);
  assert.equal(decodeWatchResponse(new ProtoWriter().varint(3, 1n).finish()).created, true);
});
