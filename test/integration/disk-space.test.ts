/**
 * Free space, against real small file systems (tmpfs mounts; skipped with the reason where
 * this user cannot mount): a restore checks room for the db and the 64 MB WAL before writing
 * and preallocates the WAL (etcd fails to start on a disk it fills otherwise); a download
 * checks room for the content first. Nothing is left on the small disk after a refusal.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { type CliResult, runKubekeeper } from '../support/cli.js';
import { type EtcdProcess, startEtcd } from '../support/etcd.js';
import { etcdctlPut } from '../support/etcd-put.js';

let etcd: EtcdProcess;
let dir: string;
let snap: string;
let repo: string;
let keyFile: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-space-'));
  repo = path.join(dir, 'repo');
  keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  etcd = await startEtcd();
  // ~8 MiB of incompressible values.
  for (let i = 0; i < 8; i++) await etcdctlPut(etcd, `/registry/secrets/default/s-${i}`, randomBytes(1024 * 1024));
  snap = path.join(dir, 'snap.db');
  assert.equal((await kk(['snapshot', 'save', snap, ...etcd.clientFlags])).code, 0);
  assert.equal((await kk(['backup', 'save', ...etcd.clientFlags, '--repo', repo, '--name', 'big', '-r', recipient, '--compression', 'none'])).code, 0);
});
after(async () => {
  await etcd?.stop();
  await rm(dir, { recursive: true, force: true });
});

function kk(args: string[]): Promise<CliResult> {
  return runKubekeeper(args, { timeoutMs: 120_000 });
}

/** Mounts a tmpfs of `size` at a new dir; undefined (test skipped) when this user cannot mount. */
async function smallDisk(t: TestContext, name: string, size: string): Promise<string | undefined> {
  const mnt = path.join(dir, name);
  await mkdir(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', mnt], { stdio: 'ignore' });
  } catch {
    t.skip('cannot mount a tmpfs here (needs root)');
    return undefined;
  }
  t.after(() => execFileSync('umount', ['-l', mnt], { stdio: 'ignore' }));
  return mnt;
}

test('snapshot restore refuses a disk without room for the db and the 64 MB WAL, before writing anything', async (t) => {
  const mnt = await smallDisk(t, 'small-restore', '48m');
  if (!mnt) return;
  const r = await kk(['snapshot', 'restore', snap, '--data-dir', mnt]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`Cannot restore the data dir: ".*small-restore.*" has [\\d.]+ MiB free, [\\d.]+ MiB are needed`));
  assert.match(r.stderr, /Hint: Free space on that file system, or restore to another one/);
  assert.deepEqual(await readdir(mnt), [], 'nothing was written');
});

test('snapshot restore preallocates the WAL segment on a disk with room, and etcd starts from it', async (t) => {
  const mnt = await smallDisk(t, 'room-restore', '160m');
  if (!mnt) return;
  const r = await kk(['snapshot', 'restore', snap, '--data-dir', mnt]);
  assert.equal(r.code, 0, r.stderr);
  const wal = path.join(mnt, 'member', 'wal', '0000000000000000-0000000000000000.wal');
  const info = await stat(wal);
  assert.equal(info.size, 64_000_000);
  assert.ok(info.blocks * 512 >= 64_000_000, `the WAL is allocated (${info.blocks * 512} bytes in blocks), not sparse`);
  const restored = await startEtcd({ dataDir: mnt });
  await restored.stop();
});

test('backup download checks free space for the content before writing', async (t) => {
  const mnt = await smallDisk(t, 'small-download', '4m');
  if (!mnt) return;
  const r = await kk(['backup', 'download', 'big', '--repo', repo, '-i', keyFile, '-o', path.join(mnt, 'big.db')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Cannot download backup "big": ".*small-download" has [\d.]+ MiB free, [\d.]+ MiB are needed/);
  assert.deepEqual(await readdir(mnt), []);
});
