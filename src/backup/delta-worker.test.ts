import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { formatIdentityFile, generateIdentity } from '../crypto/index.js';
import { ProtoWriter } from '../protobuf/index.js';
import { loadBackupIdentities, loadBackupRecipients } from './backup-keys.js';
import { collectDeltaRestore, planDeltaRestore } from './delta-restore.js';
import type { DeltaEvent } from './delta-segment.js';
import { DeltaChainError, writeDeltaSegment } from './delta-store.js';
import { collectDeltaRestoreOnWorker, deltaWorkerAvailable } from './delta-worker.js';
import type { Manifest } from './manifest.js';
import { openBackupRepository } from './repository-open.js';

const enc = new TextEncoder();

test('segments read on a worker give the same records, in chain order, as on the calling thread; a tampered segment is refused by name', async (t) => {
  assert.equal(await deltaWorkerAvailable(), true, 'the worker file sits beside delta-worker.js in the build');
  const dir = await mkdtemp(path.join(tmpdir(), 'kk-delta-worker-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const keyFile = path.join(dir, 'key.txt');
  const generated = generateIdentity();
  await writeFile(keyFile, formatIdentityFile(generated, new Date()), { mode: 0o600 });
  const recipients = await loadBackupRecipients({ recipients: [generated.recipient] });
  const identities = await loadBackupIdentities({ identityFiles: [keyFile] });
  const repoDir = path.join(dir, 'repo');
  const repo = await openBackupRepository(repoDir);
  t.after(() => repo.backend.close());

  // Four segments of 3000 revisions after revision 100: puts with values, every 7th a delete.
  const names: string[] = [];
  let previous: { name: string; lastRevision: number } | undefined;
  for (let first = 101; first <= 12_100; first += 3000) {
    const records: DeltaEvent[] = [];
    for (let rev = first; rev < first + 3000; rev++) {
      const key = enc.encode(`/registry/pods/ns/p-${rev % 300}`);
      records.push(rev % 7 === 0
        ? { kind: 'event', main: BigInt(rev), sub: 0, type: 'delete', kv: new ProtoWriter().bytes(1, key).varint(3, rev).finish() }
        : { kind: 'event', main: BigInt(rev), sub: 0, type: 'put', kv: new ProtoWriter().bytes(1, key).varint(2, rev).varint(3, rev).varint(4, 1).bytes(5, `${rev}`.repeat(20)).finish() });
    }
    const m = await writeDeltaSegment(repo, { clusterId: 'abc', firstRevision: first, lastRevision: first + 2999, records, ...(previous ? { previous } : {}), receivedAt: [[first + 2999, Date.now()]], compression: 'gzip', recipients });
    previous = { name: m.name, lastRevision: m.lastRevision };
    names.push(m.name);
  }
  const full = { name: 'full', cluster: { revision: 100, clusterId: 'abc' } } as unknown as Manifest;
  const plan = await planDeltaRestore(repo, full, { toRevision: 11_000 });
  const source = { location: repoDir, env: {}, keys: { identityFiles: [keyFile] } };
  const hex = (r: { forEachRecord(fn: (k: Uint8Array, v: Uint8Array) => void): void }) => {
    const out: string[] = [];
    r.forEachRecord((k, v) => out.push(`${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`));
    return out;
  };
  const here = (await collectDeltaRestore(repo, plan, { identities, snapshotRevision: 100 })).finishRecords();
  const there = (await collectDeltaRestoreOnWorker(repo, source, plan, 100)).finishRecords();
  assert.equal(there.records.length, 11_000 - 100);
  assert.deepEqual(hex(there.records), hex(here.records));
  assert.equal(there.lastRevision, 11_000);

  // One byte of the third segment's data flipped: the worker's error names it, as a DeltaChainError.
  const object = (await readdir(path.join(repoDir, 'data'))).find((n) => n.startsWith(`${names[2]}.`)) as string;
  const bytes = await readFile(path.join(repoDir, 'data', object));
  bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 1, bytes.length >> 1);
  await writeFile(path.join(repoDir, 'data', object), bytes);
  await assert.rejects(collectDeltaRestoreOnWorker(repo, source, plan, 100), (err: unknown) => {
    assert.ok(err instanceof DeltaChainError, String(err));
    assert.equal(err.segment, names[2]);
    assert.match(err.message, new RegExp(`${(names[2] as string).replace(/\./g, '\\.')}.*(sha256|hash|mismatch)`, 'i'));
    return true;
  });
});
