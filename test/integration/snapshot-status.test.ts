/**
 * `kubekeeper snapshot status` against the real etcdctl 3.4 on snapshots saved by the real
 * `etcdctl snapshot save`: every output format must be byte-identical, on a small db with a
 * lease and a delete, a multi-level tree with an overflow value, a compacted history, auth
 * enabled, and a member/snap/db copied from a stopped member (no trailer).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { etcdctl, etcdctlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { describeKeyBucket, etcdctlTxnPut, kubekeeperInProcess } from '../support/snapshot-data.js';
import { runKubekeeper } from '../support/cli.js';
import { hasTrailer } from '../../src/snapshot/index.js';

const FORMATS = ['simple', 'table', 'json', 'fields'] as const;
const ROOT = ['--user', 'root:rootpw'];

describe('snapshot status on real etcd snapshots', () => {
  let dir: string;
  let member: EtcdProcess;
  const files: Record<string, string> = {};
  let auth: string[] = [];

  const save = async (name: string) => {
    files[name] = path.join(dir, `${name}.db`);
    await etcdctlOk(member, [...auth, 'snapshot', 'save', files[name]]);
  };

  after(async () => {
    await member?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kk-status-'));
    member = await startEtcd({ dataDir: path.join(dir, 'data'), extraArgs: ['--max-txn-ops', '2000'] });
    for (let i = 1; i <= 5; i++) await etcdctlOk(member, ['put', `k${i}`, `v${i}`]);
    const lease = /lease ([0-9a-f]+) granted/.exec(await etcdctlOk(member, ['lease', 'grant', '600']))?.[1] as string;
    await etcdctlOk(member, ['put', '--lease', lease, 'leased', 'x']);
    await etcdctlOk(member, ['del', 'k2']);
    await save('basic');

    for (let batch = 0; batch < 3; batch++) {
      await etcdctlTxnPut(member, Array.from({ length: 1000 }, (_, i) => [`/registry/big/${batch}/${String(i).padStart(4, '0')}`, 'v'.repeat(100)]));
    }
    await etcdctlOk(member, ['put', 'huge', 'H'.repeat(13_000)]);
    await save('big');

    for (let i = 0; i < 5; i++) await etcdctlOk(member, ['put', 'foo', `bar${i}`]);
    const rev = JSON.parse(await etcdctlOk(member, ['get', 'foo', '-w', 'json'])).header.revision as number;
    await etcdctlOk(member, ['compaction', String(rev - 1)]);
    await save('compacted');

    await etcdctlOk(member, ['user', 'add', 'root:rootpw']);
    await etcdctlOk(member, ['role', 'add', 'r1']);
    await etcdctlOk(member, ['role', 'grant-permission', 'r1', 'readwrite', '/a', '/b']);
    await etcdctlOk(member, ['user', 'add', 'alice:alicepw']);
    await etcdctlOk(member, ['user', 'grant-role', 'alice', 'r1']);
    await etcdctlOk(member, ['auth', 'enable']);
    auth = ROOT;
    await etcdctlOk(member, [...auth, 'put', '/a/1', 'secret']);
    await save('auth');

    await member.stop();
    files.datadir = path.join(dir, 'member-db');
    await copyFile(path.join(dir, 'data', 'member', 'snap', 'db'), files.datadir);
  });

  test('the fixtures cover branch pages, overflow pages and a db without trailer', async () => {
    const big = describeKeyBucket(await readFile(files.big as string));
    assert.equal(big.keyRootIsBranch, true, 'key bucket root is a branch page');
    assert.ok(big.keyLeaves.length > 50, `${big.keyLeaves.length} leaves`);
    assert.equal(big.overflowLeaves.length, 1, 'the 13 KB value spans overflow pages');
    assert.equal(hasTrailer((await readFile(files.basic as string)).length), true);
    assert.equal(hasTrailer((await readFile(files.datadir as string)).length), false);
  });

  for (const name of ['basic', 'big', 'compacted', 'auth', 'datadir']) {
    test(`status equals etcdctl in every format when the snapshot is "${name}"`, async () => {
      const file = files[name] as string;
      for (const format of FORMATS) {
        const expected = await etcdctl(undefined, ['snapshot', 'status', '-w', format, file]);
        assert.equal(expected.code, 0, expected.stderr);
        const actual = await kubekeeperInProcess(['snapshot', 'status', '-w', format, file]);
        assert.equal(actual.code, 0, actual.stderr);
        assert.equal(actual.stdout, expected.stdout, `-w ${format}`);
      }
    });
  }

  test('the built CLI prints the same as etcdctl when run as a process', async () => {
    const file = files.auth as string;
    const expected = await etcdctlOk(undefined, ['snapshot', 'status', '-w', 'table', file]);
    const actual = await runKubekeeper(['snapshot', 'status', '-w', 'table', file]);
    assert.equal(actual.code, 0, actual.stderr);
    assert.equal(actual.stdout, expected);
  });

  test('verify passes every check when the snapshot is real', async () => {
    for (const name of ['basic', 'big', 'compacted', 'auth', 'datadir']) {
      const r = await kubekeeperInProcess(['snapshot', 'verify', '-w', 'json', files[name] as string]);
      assert.equal(r.code, 0, `${name}: ${r.stdout}`);
      const report = JSON.parse(r.stdout) as { ok: boolean; checks: { name: string; skipped?: boolean }[] };
      assert.equal(report.ok, true);
      assert.equal(report.checks.find((c) => c.name === 'trailer')?.skipped === true, name === 'datadir');
    }
  });

  test('status fails with exit 1 and a hint when the file is missing', async () => {
    const r = await kubekeeperInProcess(['snapshot', 'status', path.join(dir, 'nope.db')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: Cannot open snapshot ".*nope\.db": no such file\nHint: /);
  });
});
