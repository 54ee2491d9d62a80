import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoWriter, ProtobufError } from '../protobuf/index.js';
import { SnapshotFrameParser } from './snapshot-frames.js';

/** One gRPC message: flag 0, u32 BE length, then the SnapshotResponse. */
function frame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + message.length);
  new DataView(out.buffer).setUint32(1, message.length);
  out.set(message, 5);
  return out;
}

const concat = (parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));

/** A stream like etcd 3.4's: blobs with remaining_bytes, then the 32-byte sha in a last message. */
function stream(blobs: Uint8Array[], extraFields = false): { bytes: Uint8Array; content: Uint8Array } {
  const total = blobs.reduce((n, b) => n + b.length, 0) - 32;
  let sent = 0;
  const frames = blobs.map((blob) => {
    sent += blob.length;
    const w = new ProtoWriter();
    // etcd 3.5 adds a header to the first message, 3.6 a version: both must be skipped.
    if (extraFields) w.bytes(1, new ProtoWriter().varint(3, 7).finish()).bytes(4, '3.6.0');
    return frame(w.varintIfNonZero(2, Math.max(total - sent, 0)).bytes(3, blob).finish());
  });
  return { bytes: concat(frames), content: concat(blobs) };
}

function blobs(): Uint8Array[] {
  const make = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * seed + 1) & 0xff);
  return [make(32768, 3), make(32768, 5), make(1000, 7), make(32, 11)];
}

function parseIn(bytes: Uint8Array, size: number): { content: Buffer; parser: SnapshotFrameParser } {
  const parser = new SnapshotFrameParser();
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += size) out.push(...parser.push(bytes.subarray(o, o + size)));
  return { content: concat(out), parser };
}

test('SnapshotFrameParser returns exactly the blob bytes for chunks of 1, 511, 513 and 16384 bytes', () => {
  const { bytes, content } = stream(blobs());
  for (const size of [1, 511, 513, 16384, bytes.length]) {
    const r = parseIn(bytes, size);
    assert.ok(r.content.equals(content), `chunk size ${size}`);
    assert.equal(r.parser.messages, 4);
    assert.equal(r.parser.firstTotalBytes, 32768 + 32768 + 1000);
    assert.ok(r.parser.atMessageBoundary);
  }
});

test('SnapshotFrameParser skips a header and a version field (etcd 3.5/3.6)', () => {
  const { bytes, content } = stream(blobs(), true);
  assert.ok(parseIn(bytes, 513).content.equals(content));
});

test('SnapshotFrameParser passes blob bytes as views of the chunk, without copying', () => {
  const { bytes } = stream([new Uint8Array(100).fill(9), new Uint8Array(32)]);
  const pieces = new SnapshotFrameParser().push(bytes);
  assert.equal(pieces[0]?.buffer, bytes.buffer);
});

test('SnapshotFrameParser reports a stream cut inside a message as not at a boundary', () => {
  const { bytes } = stream(blobs());
  assert.equal(parseIn(bytes.subarray(0, 40_000), 1000).parser.atMessageBoundary, false);
  assert.equal(parseIn(bytes.subarray(0, 2), 1).parser.atMessageBoundary, false);
});

test('SnapshotFrameParser rejects compression, oversized messages, and fields past the message end', () => {
  const { bytes } = stream(blobs());
  const compressed = Uint8Array.from(bytes);
  compressed[0] = 1;
  assert.throws(() => new SnapshotFrameParser().push(compressed), ProtobufError);
  assert.throws(() => new SnapshotFrameParser().push(Uint8Array.from([0, 0x7f, 0, 0, 0])), /message of/);
  // A blob claiming 10 bytes inside a 4-byte message.
  assert.throws(() => new SnapshotFrameParser().push(frame(Uint8Array.from([0x1a, 10, 1, 2]))), /field 3 of 10 bytes in 2 remaining/);
  assert.throws(() => new SnapshotFrameParser().push(frame(Uint8Array.from([0x1b]))), /wire type 3/);
});
