import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DeltaEvent, type DeltaRecord, DeltaSegmentBuffer, DeltaSegmentError, decodeDeltaSegment, decodeDeltaSegmentBytes, encodeDeltaSegment } from './delta-segment.js';

const records: DeltaRecord[] = [
  { kind: 'event', main: 11n, sub: 0, type: 'put', kv: new Uint8Array([10, 1, 97, 16, 11]) },
  { kind: 'event', main: 11n, sub: 1, type: 'delete', kv: new Uint8Array([10, 1, 98]) },
  { kind: 'event', main: 12n, sub: 0, type: 'put', kv: new Uint8Array(3000).fill(7) },
  { kind: 'lease', id: -5n, grantedTtlSeconds: 600n, seenAtRevision: 12n },
];

async function bytesOf(rs: DeltaRecord[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of encodeDeltaSegment(rs)) parts.push(c.slice());
  return Buffer.concat(parts);
}

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

test('delta segments round-trip in chunks of 1, 511 and 513 bytes', async () => {
  const bytes = await bytesOf(records);
  for (const size of [1, 511, 513]) {
    const out: DeltaRecord[] = [];
    for await (const r of decodeDeltaSegment(chunks(bytes, size), 's')) out.push(r);
    assert.deepEqual(out.map((r) => (r.kind === 'event' ? { ...r, kv: [...r.kv] } : r)), records.map((r) => (r.kind === 'event' ? { ...r, kv: [...r.kv] } : r)));
  }
});

test('delta segment decoding names the segment on a missing header, truncation, an oversized length and reordered events', async () => {
  const bytes = await bytesOf(records);
  const fails = (b: Uint8Array, re: RegExp) => assert.throws(() => decodeDeltaSegmentBytes(b, 'delta.x'), (err: unknown) => err instanceof DeltaSegmentError && err.segment === 'delta.x' && re.test(err.message));
  fails(bytes.subarray(4), /no KKDELTA1 header/);
  fails(bytes.subarray(0, bytes.length - 30), /truncated/);
  // A copy in its own ArrayBuffer: Buffer.concat may hand out a view into Node's shared pool,
  // where Buffer#slice shares memory and .buffer offset 0 is not the segment's first byte.
  const oversized = new Uint8Array(bytes);
  new DataView(oversized.buffer, oversized.byteOffset, oversized.byteLength).setUint32(8 + 14, 0x7fffffff);
  fails(oversized, /claims \d+ bytes/);
  fails(await bytesOf([records[2] as DeltaRecord, records[0] as DeltaRecord]), /out of order: revision 11_0 after 12_0/);
});

test('DeltaSegmentBuffer builds, event by event, the bytes encodeDeltaSegment gives: across chunks, past 2^32 revisions, larger than a chunk', async () => {
  const events: DeltaEvent[] = [];
  for (let i = 0; i < 1500; i++) events.push({ kind: 'event', main: 2n ** 32n + BigInt(Math.floor(i / 3)), sub: i % 3, type: i % 5 === 0 ? 'delete' : 'put', kv: new Uint8Array(1000 + (i % 7)).fill(i % 251) });
  events.push({ kind: 'event', main: 2n ** 40n, sub: 0, type: 'put', kv: new Uint8Array(3 * 1024 * 1024).fill(9) });
  const buffer = new DeltaSegmentBuffer();
  for (const e of events) buffer.addEvent(Number(e.main), e.sub, e.type, e.kv);
  const built = Buffer.concat(buffer.chunks());
  assert.ok(buffer.chunks().length > 2, 'several chunks');
  assert.equal(buffer.eventCount, events.length);
  assert.equal(buffer.sizeBytes, built.length);
  assert.ok(built.equals(await bytesOf(events)), 'the same bytes as encodeDeltaSegment');
  const empty = new DeltaSegmentBuffer();
  assert.deepEqual([...Buffer.concat(empty.chunks())], [...(await bytesOf([]))], 'an empty segment is its magic');
});
