import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp.js';
import { DRILL_DIR_PREFIX, drillParentDir, etcdIdentity, ownMarker, processStartTime, reapStaleDrills, writeDrillMarker } from './drill-reap.js';

/** A long-running stand-in for a leftover etcd: its command line names `dataDir`, like etcd's. */
function fakeEtcd(dataDir: string): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', '--data-dir', dataDir], { stdio: 'ignore' });
}

/** A PID of a process that has exited (and been reaped), with the start time it had. */
function deadOwner(): { ownerPid: number; ownerStart: string } {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("fs").readFileSync("/proc/self/stat","utf8"))'], { encoding: 'utf8' });
  const stat = r.stdout;
  return { ownerPid: Number(stat.split(' ')[0]), ownerStart: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string };
}

async function exitOf(child: ChildProcess): Promise<string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.signalCode;
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

test('reapStaleDrills kills the leftover etcd of a dead drill and removes its dir, but keeps a live drill\'s', async (t) => {
  const parent = await tempDir(t);
  const stale = path.join(parent, `${DRILL_DIR_PREFIX}stale`);
  const live = path.join(parent, `${DRILL_DIR_PREFIX}live`);
  for (const d of [stale, live]) await mkdir(path.join(d, 'data'), { recursive: true });
  const leftover = fakeEtcd(path.join(stale, 'data'));
  const running = fakeEtcd(path.join(live, 'data'));
  t.after(() => {
    running.kill('SIGKILL');
    leftover.kill('SIGKILL');
  });
  writeDrillMarker(stale, { ...deadOwner(), dataDir: path.join(stale, 'data'), ...etcdIdentity(leftover.pid as number) });
  writeDrillMarker(live, { ...ownMarker(path.join(live, 'data')), ...etcdIdentity(running.pid as number) });
  await writeFile(path.join(parent, 'kubekeeper-other'), 'not a drill dir');

  const reaped = await reapStaleDrills(parent);
  assert.deepEqual(reaped, [{ dir: stale, killedEtcdPid: leftover.pid }]);
  assert.equal(await exitOf(leftover), 'SIGKILL');
  assert.equal(existsSync(stale), false);
  assert.equal(existsSync(path.join(live, 'data')), true, 'a live drill keeps its dir');
  assert.equal(running.exitCode, null, 'and its etcd');
  assert.equal(existsSync(path.join(parent, 'kubekeeper-other')), true);
});

test('reapStaleDrills never kills a process that only reuses the recorded PID', async (t) => {
  const parent = await tempDir(t);
  const stale = path.join(parent, `${DRILL_DIR_PREFIX}reused`);
  await mkdir(path.join(stale, 'data'), { recursive: true });
  // The recorded "etcd" PID now belongs to a process serving some other dir.
  const stranger = fakeEtcd(path.join(parent, 'someone-else'));
  t.after(() => stranger.kill('SIGKILL'));
  writeDrillMarker(stale, { ...deadOwner(), dataDir: path.join(stale, 'data'), ...etcdIdentity(stranger.pid as number) });
  assert.deepEqual(await reapStaleDrills(parent), [{ dir: stale }]);
  assert.equal(existsSync(stale), false);
  assert.notEqual(processStartTime(stranger.pid as number), undefined, 'the stranger still runs');
});

test('reapStaleDrills leaves a young unmarked dir (a drill about to write its marker) and reaps an old one', async (t) => {
  const parent = await tempDir(t);
  const young = path.join(parent, `${DRILL_DIR_PREFIX}young`);
  const old = path.join(parent, `${DRILL_DIR_PREFIX}old`);
  await mkdir(young);
  await mkdir(old);
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  await utimes(old, twoHoursAgo, twoHoursAgo);
  assert.deepEqual(await reapStaleDrills(parent), [{ dir: old }]);
  assert.equal(existsSync(young), true);
  assert.deepEqual(await reapStaleDrills(path.join(parent, 'missing')), []);
});

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** A `sleep` standing in for a process a local user wants killed (the kubelet, the API server). */
function victim(t: { after: (f: () => void) => void }): ChildProcess {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  return child;
}

test('reapStaleDrills neither kills an unrelated process nor trusts a marker naming it when the marker was planted', async (t) => {
  const parent = await tempDir(t);
  const sleeper = victim(t);
  // A marker of ours in form, naming the sleep: its exe and start time agree, its command line names no data dir.
  const planted = path.join(parent, `${DRILL_DIR_PREFIX}planted`);
  await mkdir(planted);
  writeDrillMarker(planted, { ...deadOwner(), dataDir: path.join(planted, 'data'), ...etcdIdentity(sleeper.pid as number) });
  // A marker whose data dir is outside its drill dir: refused outright (the dir is young, so kept).
  const outside = path.join(parent, `${DRILL_DIR_PREFIX}outside`);
  await mkdir(outside);
  const fake = fakeEtcd('/var/lib/etcd');
  t.after(() => fake.kill('SIGKILL'));
  writeDrillMarker(outside, { ...deadOwner(), dataDir: '/var/lib/etcd', ...etcdIdentity(fake.pid as number) });
  const reaped = await reapStaleDrills(parent);
  assert.deepEqual(reaped, [{ dir: planted }], 'the planted dir (ours) is removed, with nothing killed');
  assert.equal(sleeper.exitCode ?? sleeper.signalCode, null, 'the sleep still runs');
  assert.equal(fake.exitCode ?? fake.signalCode, null, 'and so does the process serving /var/lib/etcd');
  assert.equal(existsSync(outside), true);
});

test('reapStaleDrills leaves a drill dir, marker or parent alone when another uid owns it or others can write to it', { skip: asRoot ? false : 'needs root to chown to nobody' }, async (t) => {
  const parent = await tempDir(t);
  const cases = ['foreign-dir', 'foreign-marker', 'writable-dir', 'readable-marker'];
  const leftovers = new Map<string, ChildProcess>();
  for (const name of cases) {
    const dir = path.join(parent, `${DRILL_DIR_PREFIX}${name}`);
    await mkdir(path.join(dir, 'data'), { recursive: true });
    const etcd = fakeEtcd(path.join(dir, 'data'));
    t.after(() => etcd.kill('SIGKILL'));
    leftovers.set(dir, etcd);
    // A marker that would be reaped, and its etcd killed, if the dir were ours alone.
    writeDrillMarker(dir, { ...deadOwner(), dataDir: path.join(dir, 'data'), ...etcdIdentity(etcd.pid as number) });
    if (name === 'foreign-dir') await chown(dir, NOBODY, NOBODY);
    if (name === 'foreign-marker') await chown(path.join(dir, 'drill.json'), NOBODY, NOBODY);
    if (name === 'writable-dir') await chmod(dir, 0o777);
    if (name === 'readable-marker') await chmod(path.join(dir, 'drill.json'), 0o644);
  }
  assert.deepEqual(await reapStaleDrills(parent), []);
  for (const [dir, etcd] of leftovers) {
    assert.equal(existsSync(path.join(dir, 'drill.json')), true, dir);
    assert.equal(etcd.exitCode ?? etcd.signalCode, null, `the process named in ${dir} still runs`);
  }
  // The same, under a parent that is not ours: nothing at all is touched.
  const foreignParent = path.join(parent, 'foreign-parent');
  const dir = path.join(foreignParent, `${DRILL_DIR_PREFIX}x`);
  await mkdir(path.join(dir, 'data'), { recursive: true });
  const etcd = fakeEtcd(path.join(dir, 'data'));
  t.after(() => etcd.kill('SIGKILL'));
  writeDrillMarker(dir, { ...deadOwner(), dataDir: path.join(dir, 'data'), ...etcdIdentity(etcd.pid as number) });
  await chown(foreignParent, NOBODY, NOBODY);
  assert.deepEqual(await reapStaleDrills(foreignParent), []);
  assert.equal(etcd.exitCode ?? etcd.signalCode, null);
  assert.equal(existsSync(dir), true);
});

test('drillParentDir makes a 0700 dir of ours and refuses a work dir others can write to or another uid owns', async (t) => {
  const made = await drillParentDir();
  assert.equal(path.dirname(made), os.tmpdir());
  assert.equal(statSync(made).mode & 0o777, 0o700);
  const parent = await tempDir(t);
  await chmod(parent, 0o777);
  await assert.rejects(drillParentDir(parent), { code: 'drill-work-dir-unsafe', message: /mode 777 lets others write/ });
  await chmod(parent, 0o700);
  assert.equal(await drillParentDir(parent), parent);
  if (asRoot) {
    await chown(parent, NOBODY, NOBODY);
    await assert.rejects(drillParentDir(parent), { code: 'drill-work-dir-unsafe', message: /owned by uid 65534/ });
  }
});
