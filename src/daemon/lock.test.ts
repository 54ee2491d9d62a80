import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp.js';
import type { AppError } from '../errors.js';
import type { LogFields } from '../logger.js';
import { LockHeldError, type LockOwner, UNREADABLE_LOCK_STALE_MS, acquireLock } from './lock.js';
import { processStartTime } from './lock-process.js';

/** The PID of a process that has exited (so no live process owns it, barring reuse). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

const ownerLine = (owner: Partial<LockOwner>) => `${JSON.stringify({ hostname: os.hostname(), acquiredAt: '2024-01-01T00:00:00.000Z', token: 'other', ...owner })}\n`;

test('acquireLock creates a 0600 lock naming this process and removes it on release', async (t) => {
  const file = path.join(await tempDir(t), 'sub', 'backup.lock');
  const lock = await acquireLock(file);
  assert.equal(lock.takenOver, false);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
  assert.equal((JSON.parse(await readFile(file, 'utf8')) as LockOwner).pid, process.pid);
  await lock.release();
  await assert.rejects(stat(file), { code: 'ENOENT' });
});

test('acquireLock fails naming the owner when a live process holds the lock', async (t) => {
  const file = path.join(await tempDir(t), 'backup.lock');
  await writeFile(file, ownerLine({ pid: process.pid, startTime: await processStartTime(process.pid) }));
  await assert.rejects(acquireLock(file), (err: LockHeldError) => err instanceof LockHeldError && err.message.includes(`PID ${process.pid}`) && err.code === 'lock-held');
  assert.match(await readFile(file, 'utf8'), /"token":"other"/, 'the live lock is left alone');
});

test('acquireLock takes over and reports a stale lock when its owner process is dead', async (t) => {
  const file = path.join(await tempDir(t), 'backup.lock');
  const pid = await deadPid();
  await writeFile(file, ownerLine({ pid }));
  const events: [string, LogFields | undefined][] = [];
  const lock = await acquireLock(file, { logger: { log: (_level, event, fields) => events.push([event, fields]) } });
  assert.equal(lock.takenOver, true);
  assert.equal(lock.previousOwner?.pid, pid);
  assert.deepEqual(events.find(([e]) => e === 'lock.takeover')?.[1]?.previousPid, pid);
  await lock.release();
});

test('acquireLock treats a lock as stale when its PID was reused by a process started later', async (t) => {
  const file = path.join(await tempDir(t), 'backup.lock');
  await writeFile(file, ownerLine({ pid: process.pid, startTime: '1' }));
  const lock = await acquireLock(file);
  assert.equal(lock.takenOver, process.platform === 'linux');
  await lock.release();
});

test('acquireLock leaves a lock from another host alone, since it cannot check that process', async (t) => {
  const file = path.join(await tempDir(t), 'backup.lock');
  await writeFile(file, ownerLine({ pid: await deadPid(), hostname: 'some-other-host' }));
  await assert.rejects(acquireLock(file), LockHeldError);
});

test('acquireLock lets exactly one of many contenders take over one stale lock', async (t) => {
  const file = path.join(await tempDir(t), 'backup.lock');
  await writeFile(file, ownerLine({ pid: await deadPid() }));
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireLock(file)));
  const won = results.filter((r) => r.status === 'fulfilled');
  assert.equal(won.length, 1);
  for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof LockHeldError, String(r.reason));
});

test('acquireLock waits for the owner to release when given a wait, then takes the lock', async (t) => {
  const file = path.join(await tempDir(t), 'backup.lock');
  const first = await acquireLock(file);
  let waiting!: () => void;
  const sawWaiting = new Promise<void>((resolve) => (waiting = resolve));
  const second = acquireLock(file, { waitMs: 60_000, pollMs: 20, logger: { log: (_l, event) => event === 'lock.waiting' && waiting() } });
  await sawWaiting;
  await first.release();
  const lock = await second;
  assert.equal(lock.takenOver, false);
  await lock.release();
});

test('acquireLock stops waiting when aborted', async (t) => {
  const file = path.join(await tempDir(t), 'backup.lock');
  const first = await acquireLock(file);
  const controller = new AbortController();
  const second = acquireLock(file, { waitMs: 60_000, pollMs: 20, signal: controller.signal, logger: { log: (_l, event) => event === 'lock.waiting' && controller.abort() } });
  await assert.rejects(second, { code: 'aborted' });
  await first.release();
});

test('acquireLock refuses a lock directory that another user created first', async (t) => {
  const dir = path.join(await tempDir(t), 'kubekeeper-1000');
  await mkdir(dir, { mode: 0o700 });
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) await chown(dir, 65534, 65534);
  else await chmod(dir, 0o777); // a non-root test cannot give a dir away: the writable-by-others case
  await assert.rejects(acquireLock(path.join(dir, 'backup.lock')), (err: AppError) => err.code === 'lock-dir-insecure' && err.message.includes(dir));
  await assert.rejects(stat(path.join(dir, 'backup.lock')), { code: 'ENOENT' });
});

test('acquireLock refuses a lock directory others can write to', async (t) => {
  const dir = path.join(await tempDir(t), 'shared');
  await mkdir(dir);
  await chmod(dir, 0o777);
  await assert.rejects(acquireLock(path.join(dir, 'backup.lock')), (err: AppError) => err.code === 'lock-dir-insecure' && /other users can write/.test(err.message));
});

test('acquireLock never judges a fresh unreadable lock stale: it may be mid-write', async (t) => {
  const file = path.join(await tempDir(t), 'backup.lock');
  await writeFile(file, '');
  await assert.rejects(acquireLock(file), LockHeldError);
  assert.equal(await readFile(file, 'utf8'), '', 'the fresh lock is left alone');
});

test('acquireLock takes over an unreadable lock once it is older than the mid-write allowance', async (t) => {
  const file = path.join(await tempDir(t), 'backup.lock');
  await writeFile(file, '{"pid":');
  const old = new Date(Date.now() - UNREADABLE_LOCK_STALE_MS - 5_000);
  await utimes(file, old, old);
  const lock = await acquireLock(file);
  assert.equal(lock.takenOver, true);
  await lock.release();
});

test('acquireLock removes a takeover guard left by a killed contender', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'backup.lock');
  await writeFile(file, ownerLine({ pid: await deadPid() }));
  await writeFile(`${file}.takeover`, ownerLine({ pid: await deadPid() }));
  const lock = await acquireLock(file);
  assert.equal(lock.takenOver, true);
  await lock.release();
  assert.deepEqual((await readdir(dir)).sort(), [], 'no guard, temp or aside files are left');
});
