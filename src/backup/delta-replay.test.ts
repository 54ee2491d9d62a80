import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoWriter } from '../protobuf/index.js';
import { deltaEntries } from './delta-entries.js';
import { DeltaEntryCollector } from './delta-replay.js';
import { type DeltaEvent, type DeltaLease, type DeltaRecord, DeltaSegmentError, encodeDeltaSegment } from './delta-segment.js';
import { DeltaChainError } from './delta-store.js';

async function segmentBytes(records: DeltaRecord[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of encodeDeltaSegment(records)) parts.push(c.slice());
  return Buffer.concat(parts);
}

const enc = new TextEncoder();
// Lease IDs as etcd makes them (large, some above 2^53) and one negative as int64.
const LEASES = [0n, 0n, 0n, 7587869426110532104n, 42n, 99n, -3n];

/** Events over revisions first..last: puts (some with a lease, some with an unknown field), deletes, several per revision. */
function events(first: number, last: number, seed: number): DeltaEvent[] {
  const out: DeltaEvent[] = [];
  let x = seed;
  const rnd = (n: number) => ((x = (x * 1103515245 + 12345) % 2 ** 31) % n);
  for (let rev = first; rev <= last; rev++) {
    const n = 1 + rnd(2);
    for (let sub = 0; sub < n; sub++) {
      const key = enc.encode(`/registry/pods/ns/p-${rnd(50)}${'k'.repeat(rnd(200))}`);
      if (rnd(5) === 0) {
        out.push({ kind: 'event', main: BigInt(rev), sub, type: 'delete', kv: new ProtoWriter().bytes(1, key).varint(3, rev).finish() });
        continue;
      }
      const lease = LEASES[rnd(LEASES.length)] as bigint;
      const w = new ProtoWriter().bytes(1, key).varint(2, rev - rnd(3)).varint(3, rev).varint(4, 1 + rnd(4)).bytes(5, new Uint8Array(rnd(300)).fill(rev % 251));
      if (lease !== 0n) w.varint(6, lease);
      if (rnd(7) === 0) w.varint(9, 5);
      out.push({ kind: 'event', main: BigInt(rev), sub, type: 'put', kv: w.finish() });
    }
  }
  return out;
}

const plain = (r: { entries: { key: Uint8Array; value: Uint8Array }[] }) => r.entries.map((e) => [Buffer.from(e.key).toString('hex'), Buffer.from(e.value).toString('hex')]);

test('the collector gives what deltaEntries gives: keys, values, tombstones, the window, leases recreated or detached', async () => {
  const recorded: DeltaLease[] = [{ kind: 'lease', id: 42n, grantedTtlSeconds: 60n, seenAtRevision: 150n }, { kind: 'lease', id: -3n, grantedTtlSeconds: 5n, seenAtRevision: 260n }];
  const a = events(101, 200, 1);
  const b = events(201, 300, 2);
  for (const [after, to] of [[100, 300], [150, 250], [100, 200], [299, 300]] as const) {
    const collector = new DeltaEntryCollector(after, to);
    collector.addSegment(await segmentBytes([...a, recorded[0] as DeltaLease]), { name: 'a', firstRevision: 101, lastRevision: 200, eventCount: a.length });
    // A lease recorded only in the second segment still keeps a put of the first one attached.
    collector.addSegment(await segmentBytes([...b, recorded[1] as DeltaLease]), { name: 'b', firstRevision: 201, lastRevision: 300, eventCount: b.length });
    const known = new Set([99n]);
    const got = collector.finish(known);
    const want = deltaEntries([...a, ...b], recorded, { afterRevision: after, toRevision: to, knownLeases: known });
    assert.deepEqual(plain(got), plain(want));
    assert.deepEqual(got.leases.map((l) => [l.id, l.ttlSeconds, [...l.value]]), want.leases.map((l) => [l.id, l.ttlSeconds, [...l.value]]));
    assert.equal(got.detachedKeys, want.detachedKeys);
    assert.equal(got.lastRevision, want.lastRevision);
    assert.equal(collector.events, a.length + b.length);
    if (after === 100 && to === 300) assert.ok(want.detachedKeys > 0 && want.leases.length === 2 && want.entries.some((e) => e.key.length === 18));
  }
});

test('a collector packed for a worker and unpacked gives the same entries; keys and values cross slab boundaries', async () => {
  // ~60k events: keys and delete values fill several 1 MiB slabs.
  const evs = events(1, 40_000, 7);
  const collector = new DeltaEntryCollector(0, 40_000);
  collector.addSegment(await segmentBytes(evs), { name: 'big', firstRevision: 1, lastRevision: 40_000, eventCount: evs.length });
  const { packed, transfer } = collector.pack();
  // As postMessage would hand it over (transferred buffers moved, the rest copied).
  const received = structuredClone(packed, { transfer });
  const want = deltaEntries(evs, [], { afterRevision: 0, toRevision: 40_000 });
  const got = DeltaEntryCollector.unpack(received).finish(new Set([7587869426110532104n]));
  assert.deepEqual(plain(got), plain(deltaEntries(evs, [], { afterRevision: 0, toRevision: 40_000, knownLeases: new Set([7587869426110532104n]) })));
  assert.ok(want.detachedKeys > got.detachedKeys && got.detachedKeys > 0);
  assert.ok(transfer.length > 3, 'the segment, slabs and index are transferred, not copied');
});

test('the collector refuses an event outside the segment\'s range, a wrong event count, bad framing and a malformed key-value', async () => {
  const evs = events(11, 20, 3);
  const bytes = await segmentBytes(evs);
  const add = (b: Uint8Array, m: Partial<{ firstRevision: number; lastRevision: number; eventCount: number }>) => () =>
    new DeltaEntryCollector(10, 100).addSegment(b, { name: 'delta.x', firstRevision: 11, lastRevision: 20, eventCount: evs.length, ...m });
  assert.throws(add(bytes, { lastRevision: 19 }), (err: unknown) => err instanceof DeltaChainError && /holds revision 20, outside 11-19/.test(err.message) && err.segment === 'delta.x');
  assert.throws(add(bytes, { eventCount: evs.length + 1 }), (err: unknown) => err instanceof DeltaChainError && /holds \d+ events, its manifest says/.test(err.message));
  assert.throws(add(bytes.subarray(0, bytes.length - 3), {}), (err: unknown) => err instanceof DeltaSegmentError && /truncated/.test(err.message));
  // A put whose key field claims more bytes than the key-value holds.
  const bad = await segmentBytes([{ kind: 'event', main: 11n, sub: 0, type: 'put', kv: new Uint8Array([0x0a, 0x7f, 0x61]) }]);
  assert.throws(() => new DeltaEntryCollector(10, 100).addSegment(bad, { name: 'delta.x', firstRevision: 11, lastRevision: 20, eventCount: 1 }), /./);
  // A key field with the wrong wire type goes to the full decoder, which names the field.
  const wrongWire = await segmentBytes([{ kind: 'event', main: 11n, sub: 0, type: 'put', kv: new Uint8Array([0x08, 0x01]) }]);
  assert.throws(() => new DeltaEntryCollector(10, 100).addSegment(wrongWire, { name: 'delta.x', firstRevision: 11, lastRevision: 20, eventCount: 1 }), /Field 1 has wire type 0/);
});
