import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp.js';
import { DRILL_DIR_PREFIX, ownMarker, processStartTime, reapStaleDrills, writeDrillMarker } from './drill-reap.js';

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
  writeDrillMarker(stale, { ...deadOwner(), dataDir: path.join(stale, 'data'), etcdPid: leftover.pid as number });
  writeDrillMarker(live, { ...ownMarker(path.join(live, 'data')), etcdPid: running.pid as number });
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
  writeDrillMarker(stale, { ...deadOwner(), dataDir: path.join(stale, 'data'), etcdPid: stranger.pid as number });
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
