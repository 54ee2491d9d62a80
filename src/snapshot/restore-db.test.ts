import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openBolt } from './bolt-reader.js';
import { BoltWriter } from './bolt-writer.js';
import { planRestoreCluster } from './member-id.js';
import { randomAccessFromBytes, type RandomAccess } from './random-access.js';
import { openRestoreSource } from './restore-source.js';
import {
  KUBERNETES_BUMP_REVISION, MAX_BUMPED_REVISION, MIN_REVISION_HEADROOM, isKubernetesKeyValue, revisionKey, writeRestoredDb, type RestoreDbResult, type RevisionBump,
} from './restore-db.js';
import { RestoreConfigError } from './member-id-url.js';
import { ProtoWriter } from '../protobuf/index.js';
import { revKey } from '../../test/support/bolt-builder.js';
import { buildDb, memorySink } from '../../test/support/bolt-sink.js';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | null) => new TextDecoder().decode(b ?? new Uint8Array());


const kv = (key: string, mod: number, value = 'v') =>
  new ProtoWriter().bytes(1, key).varint(2, mod).varint(3, mod).varint(4, 1).bytes(5, value).finish();
const u64 = (n: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n)); return b; };

function snapshot(keys: string[]): Uint8Array {
  return buildDb([
    ['alarm', []],
    ['auth', [[text('authRevision'), u64(1)]]],
    ['cluster', [[text('clusterVersion'), text('3.4.0')]]],
    ['key', [...keys.map((k, i) => [revKey(i + 2), kv(k, i + 2)] as [Uint8Array, Uint8Array]), [revKey(keys.length + 2, 0, true), text('tomb')]]],
    ['lease', [[u64(7), text('lease')]]],
    ['members', [[text('a2e200676ba2523e'), text('{"id":1}')]]],
    ['members_removed', [[text('1234'), text('removed')]]],
    ['meta', [[text('consistent_index'), u64(10)], [text('finishedCompactRev'), revKey(3)], [text('scheduledCompactRev'), revKey(3)]]],
  ]);
}

const cluster = planRestoreCluster({
  name: 'b', initialCluster: 'a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,c=http://10.0.0.3:2380,c=https://10.0.0.3:2390',
  initialClusterToken: 'tok3', initialAdvertisePeerUrls: ['http://10.0.0.2:2380'],
});

function restore(source: Uint8Array, bump: RevisionBump): { result: RestoreDbResult; buckets: Map<string, [string, Uint8Array][]>; progress: number } {
  const sink = memorySink();
  const writer = new BoltWriter({ pageSize: 4096, sink });
  const gen = writeRestoredDb(openBolt(randomAccessFromBytes(source)), writer, { cluster, bump, progressEvery: 2 });
  let progress = 0;
  let step = gen.next();
  for (; !step.done; step = gen.next()) progress++;
  writer.finish();
  const out = openBolt(randomAccessFromBytes(sink.bytes()));
  const buckets = new Map([...out.buckets()].map((b) => [str(b.name), [...b.entries()].map((e) => [Buffer.from(e.key).toString('hex'), e.value as Uint8Array] as [string, Uint8Array])]));
  return { result: step.value, buckets, progress };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('writeRestoredDb bumps and marks compacted when the snapshot holds Kubernetes keys and the bump is the default', () => {
  const { result, buckets } = restore(snapshot(['/registry/pods/default/a', '/registry/namespaces/default']), { mode: 'kubernetes', amount: KUBERNETES_BUMP_REVISION });
  assert.equal(result.kubernetes, true);
  assert.equal(result.revisionBefore, 4n);
  assert.equal(result.revisionAfter, 1_000_000_004n);
  assert.equal(result.bumpedBy, 1_000_000_000n);
  const keys = buckets.get('key') ?? [];
  assert.deepEqual(keys.at(-1), [hex(revisionKey(1_000_000_004n)), new Uint8Array(0)]);
  assert.equal(keys.length, 4);
  const meta = new Map(buckets.get('meta')?.map(([k, v]) => [Buffer.from(k, 'hex').toString(), hex(v)]));
  assert.equal(meta.get('scheduledCompactRev'), hex(revisionKey(1_000_000_004n)));
  assert.equal(meta.get('finishedCompactRev'), hex(revKey(3)));
  assert.equal(meta.get('consistent_index'), '0000000000000003');
  assert.equal(meta.get('term'), '0000000000000001');
});

test('writeRestoredDb leaves revisions alone when the data is not Kubernetes and the bump is the default', () => {
  const { result, buckets } = restore(snapshot(['foo', 'bar']), { mode: 'kubernetes', amount: KUBERNETES_BUMP_REVISION });
  assert.equal(result.kubernetes, false);
  assert.equal(result.bumpedBy, 0n);
  assert.equal(result.revisionAfter, 4n);
  assert.equal(buckets.get('key')?.length, 3);
  const meta = new Map(buckets.get('meta')?.map(([k, v]) => [Buffer.from(k, 'hex').toString(), hex(v)]));
  assert.equal(meta.get('scheduledCompactRev'), hex(revKey(3)));
});

test('writeRestoredDb applies a fixed bump to any data and no bump when it is 0', () => {
  assert.equal(restore(snapshot(['foo']), { mode: 'fixed', amount: 5n }).result.revisionAfter, 8n);
  const none = restore(snapshot(['/registry/x']), { mode: 'fixed', amount: 0n });
  assert.equal(none.result.bumpedBy, 0n);
  assert.equal(none.buckets.get('key')?.length, 2);
});

test('writeRestoredDb replaces the old members with the new ones and empties members_removed', () => {
  const { result, buckets } = restore(snapshot(['foo']), { mode: 'fixed', amount: 0n });
  assert.deepEqual(result.droppedMembers, ['a2e200676ba2523e']);
  const members = buckets.get('members')?.map(([k, v]) => [Buffer.from(k, 'hex').toString(), str(v)]);
  // Sorted by key text: "17d3…" < "2af8…" < "ba3d…".
  assert.deepEqual(members, [
    ['17d3b606fa26a87d', '{"id":1716916024041187453,"peerURLs":["http://10.0.0.3:2380","https://10.0.0.3:2390"],"name":"c"}'],
    ['2af815ba216b5750', '{"id":3096248632985999184,"peerURLs":["http://10.0.0.2:2380"],"name":"b"}'],
    ['ba3d8e585d4e3172', '{"id":13420038974807617906,"peerURLs":["http://10.0.0.1:2380"],"name":"a"}'],
  ]);
  assert.deepEqual(buckets.get('members_removed'), []);
  // Untouched buckets are copied as they were.
  assert.equal(str(buckets.get('cluster')?.[0]?.[1] ?? null), '3.4.0');
  assert.equal(str(buckets.get('lease')?.[0]?.[1] ?? null), 'lease');
});

test('writeRestoredDb creates the buckets etcd needs when the snapshot lacks them', () => {
  const source = buildDb([['key', [[revKey(2), kv('foo', 2)]]], ['zzz', [[text('z'), text('1')]]]]);
  const { result, buckets } = restore(source, { mode: 'fixed', amount: 0n });
  assert.deepEqual(result.buckets, ['cluster', 'key', 'members', 'members_removed', 'meta', 'zzz']);
  assert.deepEqual([...buckets.keys()], result.buckets);
  assert.equal(buckets.get('members')?.length, 3);
});

test('writeRestoredDb reports progress every few entries', () => {
  assert.ok(restore(snapshot(['a', 'b', 'c', 'd', 'e', 'f']), { mode: 'fixed', amount: 0n }).progress >= 3);
});

test('isKubernetesKeyValue looks at the KeyValue key only', () => {
  assert.equal(isKubernetesKeyValue(kv('/registry/pods/x', 2)), true);
  assert.equal(isKubernetesKeyValue(kv('/registr', 2)), false);
  assert.equal(isKubernetesKeyValue(kv('/other', 2, '/registry/')), false);
  assert.equal(isKubernetesKeyValue(new Uint8Array(0)), false);
  assert.equal(isKubernetesKeyValue(Uint8Array.of(0x0a, 0xff)), false);
});

/** A RandomAccess that reuses one buffer for every read, as its contract allows. */
function reusingRandomAccess(bytes: Uint8Array): RandomAccess {
  let scratch = new Uint8Array(0);
  return {
    sizeBytes: bytes.length,
    read(offset, length) {
      if (scratch.length < length) scratch = new Uint8Array(length);
      scratch.set(bytes.subarray(offset, offset + length));
      return scratch.subarray(0, length);
    },
  };
}

test('writeRestoredDb writes the same file from leaf views as from copied entries when read buffers are reused', () => {
  const source = snapshot(Array.from({ length: 3000 }, (_, i) => `/registry/configmaps/ns/cm-${String(i).padStart(5, '0')}`));
  const outputs = [() => openBolt(randomAccessFromBytes(source)), () => openRestoreSource(reusingRandomAccess(source))].map((open) => {
    const sink = memorySink();
    const writer = new BoltWriter({ pageSize: 4096, sink });
    const gen = writeRestoredDb(open(), writer, { cluster, bump: { mode: 'kubernetes', amount: KUBERNETES_BUMP_REVISION }, progressEvery: 100 });
    for (let step = gen.next(); !step.done; step = gen.next()) { /* drain */ }
    writer.finish();
    return sink.bytes();
  });
  assert.ok((outputs[0]?.length ?? 0) > 3 * 4096);
  assert.equal(Buffer.compare(outputs[0] as Uint8Array, outputs[1] as Uint8Array), 0);
});

test('writeRestoredDb refuses a bump that leaves fewer than 2^40 revisions before int64 max', () => {
  const max = (1n << 63n) - 1n;
  // snapshot(['foo']) ends at revision 3 (foo at 2, the tombstone at 3).
  assert.equal(restore(snapshot(['foo']), { mode: 'fixed', amount: MAX_BUMPED_REVISION - 3n }).result.revisionAfter, max - MIN_REVISION_HEADROOM);
  for (const amount of [MAX_BUMPED_REVISION - 2n, 9223372036854775804n]) {
    assert.throws(() => restore(snapshot(['foo']), { mode: 'fixed', amount }), (err: unknown) =>
      err instanceof RestoreConfigError && /int64 maximum/.test(err.message) && /--bump-revision/.test(err.hint ?? ''));
  }
});

test('writeRestoredDb reports the alarms the snapshot carries and copies them', () => {
  const alarmKey = new ProtoWriter().varint(1, 0x8e9e05c52164694dn).varint(2, 1).finish();
  const source = buildDb([['alarm', [[alarmKey, new Uint8Array(0)]]], ['key', [[revKey(2), kv('foo', 2)]]], ['meta', []]]);
  const { result, buckets } = restore(source, { mode: 'fixed', amount: 0n });
  assert.deepEqual(result.alarms, [{ memberId: '8e9e05c52164694d', alarm: 'NOSPACE' }]);
  assert.deepEqual(buckets.get('alarm')?.map(([k]) => k), [hex(alarmKey)]);
});
