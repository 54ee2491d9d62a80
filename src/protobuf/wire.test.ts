import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtobufError, ProtoWriter, readFields, toInt64 } from './wire.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('ProtoWriter encodes the etcd KeyValue example from the spec', () => {
  const kv = new ProtoWriter().bytes(1, 'foo').varint(2, 2n).varint(3, 2n).varint(4, 1n).bytes(5, 'bar').finish();
  assert.equal(hex(kv), '0a03666f6f1002180220012a03626172');
});

test('ProtoWriter encodes a lease id varint as the spec observed', () => {
  assert.equal(hex(new ProtoWriter().varint(6, 0x523ea1faeb616a09n).finish()), '3089d485dbaebfa89f52');
});

test('ProtoWriter omits zero and empty proto3 fields but always writes proto2 ones', () => {
  assert.equal(hex(new ProtoWriter().varintIfNonZero(1, 0).bytesIfNonEmpty(2, '').varint(5, 0).finish()), '2800');
});

test('readFields round-trips varints, bytes and 64-bit values', () => {
  const buf = new ProtoWriter().varint(1, 2n ** 64n - 1n).bytes(2, 'hello').varint(3, -1n).finish();
  const fields = [...readFields(buf)];
  assert.equal(fields[0]?.varint, 2n ** 64n - 1n);
  assert.equal(Buffer.from(fields[1]?.bytes ?? []).toString(), 'hello');
  assert.equal(toInt64(fields[2]?.varint ?? 0n), -1n);
});

test('readFields throws ProtobufError with the offset when a length runs past the end', () => {
  assert.throws(() => [...readFields(Uint8Array.from([0x0a, 0x05, 0x61]))], (err: unknown) => err instanceof ProtobufError && err.offset === 2);
  assert.throws(() => [...readFields(Uint8Array.from([0x08, 0x80]))], /Truncated varint/);
  assert.throws(() => [...readFields(Uint8Array.from([0x0b]))], /Unsupported wire type 3/);
});

test('readFields reads every varint width exactly, on both sides of its 49-bit number arithmetic', () => {
  const values = [0n, 1n, 127n, 128n, 2n ** 49n - 1n, 2n ** 49n, 2n ** 53n + 1n, 2n ** 56n + 3n, 2n ** 63n, 2n ** 64n - 1n];
  const w = new ProtoWriter();
  values.forEach((v, i) => w.varint(i + 1, v));
  assert.deepEqual([...readFields(w.finish())].map((f) => f.varint), values);
  for (const field of [2 ** 21, 2 ** 28, 2 ** 29 - 1]) assert.equal([...readFields(new ProtoWriter().varint(field, 5n).finish())][0]?.field, field, `field number ${field}`);
  assert.throws(() => [...readFields(Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))], /longer than 10 bytes/);
  assert.throws(() => [...readFields(Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))], /Truncated varint/);
});
