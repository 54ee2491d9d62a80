import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldReader } from './field-reader.js';
import { ProtobufError, ProtoWriter, readFields, WireType } from './wire.js';

/** A deterministic random message of every wire type, varints of every width. */
function randomMessage(seed: number): Uint8Array {
  let s = seed;
  const rand = (n: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
  const w = new ProtoWriter();
  for (let i = rand(12); i >= 0; i--) {
    const field = 1 + rand(3000);
    const kind = rand(4);
    if (kind === 0) w.varint(field, BigInt(rand(2 ** 30)) ** BigInt(1 + rand(2)));
    else if (kind === 1) w.bytes(field, new Uint8Array(rand(300)).fill(rand(256)));
    else if (kind === 2) w.varint(field, rand(128));
    else w.varint(field, 2n ** 64n - 1n - BigInt(rand(1000)));
  }
  return w.finish();
}

test('FieldReader walks the same fields as readFields: numbers, wire types, payloads and exact varints below 2^53', () => {
  const reader = new FieldReader();
  for (let seed = 1; seed <= 300; seed++) {
    const buf = randomMessage(seed);
    const expected = [...readFields(buf)];
    let i = 0;
    for (const f = reader.reset(buf); f.next(); i++) {
      const e = expected[i];
      assert.ok(e, `seed ${seed}: no more fields expected`);
      assert.equal(f.field, e.field);
      assert.equal(f.wireType, e.wireType);
      if (f.wireType === WireType.varint) {
        if (e.varint < 2n ** 53n) assert.equal(f.value, Number(e.varint), `seed ${seed} field ${f.field}`);
      } else {
        assert.deepEqual(f.bytes(), e.bytes);
      }
    }
    assert.equal(i, expected.length, `seed ${seed}: every field`);
  }
});

test('FieldReader throws ProtobufError on malformed input, as readFields does', () => {
  const reader = new FieldReader();
  const drain = (bytes: number[]) => () => {
    for (const f = reader.reset(Uint8Array.from(bytes)); f.next();) void f;
  };
  assert.throws(drain([0x0a, 0x05, 0x61]), (err: unknown) => err instanceof ProtobufError && /past the end/.test(err.message));
  assert.throws(drain([0x08, 0x80]), /Truncated varint/);
  assert.throws(drain([0x0b]), /Unsupported wire type 3/);
  assert.throws(drain([0x00, 0x01]), /Field number 0/);
  assert.throws(drain([0x09, 0x01, 0x02]), /Truncated fixed-width/);
  const fixed = reader.reset(Uint8Array.from([0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x15, 9, 9, 9, 9]));
  assert.ok(fixed.next());
  assert.deepEqual([fixed.field, fixed.wireType, [...fixed.bytes()]], [1, WireType.fixed64, [1, 2, 3, 4, 5, 6, 7, 8]]);
  assert.ok(fixed.next());
  assert.deepEqual([fixed.field, fixed.wireType, [...fixed.bytes()]], [2, WireType.fixed32, [9, 9, 9, 9]]);
  assert.equal(fixed.next(), false);
});

test('FieldReader reads a message inside a larger buffer: the same fields, offsets into the buffer, errors at the message end', () => {
  const reader = new FieldReader();
  for (let seed = 1; seed <= 100; seed++) {
    const message = randomMessage(seed);
    const buf = new Uint8Array(message.length + 20).fill(0xff);
    buf.set(message, 7);
    const alone = [];
    for (const f = reader.reset(message); f.next();) alone.push(f.wireType === WireType.varint ? [f.field, f.value] : [f.field, f.wireType, f.start + 7, f.end + 7]);
    const inside = [];
    for (const f = reader.reset(buf, 7, 7 + message.length); f.next();) inside.push(f.wireType === WireType.varint ? [f.field, f.value] : [f.field, f.wireType, f.start, f.end]);
    assert.deepEqual(inside, alone, `seed ${seed}`);
  }
  // The bytes after the message (0xff: a varint that never ends) are never read.
  const cut = new ProtoWriter().bytes(1, 'abc').finish();
  const buf = Uint8Array.from([...cut, 0xff, 0xff, 0xff]);
  assert.throws(() => { for (const f = reader.reset(buf, 0, cut.length - 1); f.next();); }, (err: unknown) => err instanceof ProtobufError && /past the end of a 4-byte message/.test(err.message));
  const fields = [];
  for (const f = reader.reset(buf, 0, cut.length); f.next();) fields.push(f.field);
  assert.deepEqual(fields, [1]);
});
