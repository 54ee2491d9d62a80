import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type SyncFn, WriteBehind } from './write-behind.js';

/** A sync that completes only when the test says so, recording each call. */
function manualSync() {
  const calls: number[] = [];
  const pending: ((err: NodeJS.ErrnoException | null) => void)[] = [];
  const sync: SyncFn = (fd, done) => {
    calls.push(fd);
    pending.push(done);
  };
  const complete = (err: NodeJS.ErrnoException | null = null) => {
    const done = pending.shift();
    assert.ok(done, 'no flush in flight');
    done(err);
  };
  return { sync, calls, complete, get inFlight() { return pending.length; } };
}

test('WriteBehind starts a flush after every `everyBytes`, never two at once', async () => {
  const s = manualSync();
  const wb = new WriteBehind(7, 100, s.sync);
  wb.wrote(60);
  assert.equal(s.calls.length, 0);
  wb.wrote(40);
  assert.deepEqual(s.calls, [7]);
  // Due again, but the first flush is still running: no second one.
  wb.wrote(250);
  assert.equal(s.calls.length, 1);
  s.complete();
  await Promise.resolve();
  // The 250 bytes written while it ran are due: the next write starts the next flush.
  wb.wrote(1);
  assert.equal(s.calls.length, 2);
  s.complete();
  await Promise.resolve();
  // The counter restarted when that flush began.
  wb.wrote(99);
  assert.equal(s.calls.length, 2);
  wb.wrote(1);
  assert.equal(s.calls.length, 3);
  const drained = wb.drain();
  let done = false;
  void drained.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false, 'drain waits for the flush in flight');
  s.complete();
  await drained;
  assert.equal(s.inFlight, 0);
});

test('WriteBehind reports a failed flush at the next write and at drain', async () => {
  const s = manualSync();
  const wb = new WriteBehind(3, 10, s.sync);
  wb.wrote(10);
  const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }) as NodeJS.ErrnoException;
  s.complete(eio);
  await Promise.resolve();
  assert.throws(() => wb.wrote(1), /EIO/);
  await assert.rejects(wb.drain(), /EIO/);
});

test('WriteBehind with the real fdatasync leaves the file intact and drains', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kk-wb-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const fd = openSync(path.join(dir, 'f'), 'wx', 0o600);
  try {
    const wb = new WriteBehind(fd, 4096);
    const block = Buffer.alloc(3000, 0xab);
    for (let i = 0; i < 20; i++) {
      writeSync(fd, block, 0, block.length, i * block.length);
      wb.wrote(block.length);
    }
    await wb.drain();
    assert.equal(fstatSync(fd).size, 60_000);
  } finally {
    closeSync(fd);
  }
});
