/**
 * Regression tests against every real etcd version for snapshot edge cases of issue 17:
 * - item 7: a bump that leaves no room before int64 max is refused (etcd panics on its first
 *   write otherwise, and crash-loops); the largest allowed bump restores, etcd starts and
 *   writes, and revisions above 2^53 print as exact JSON numbers, byte-equal to etcdutl;
 * - item 15: a snapshot taken under a NOSPACE alarm restores with a warning that the alarm is
 *   carried over (as etcdutl carries it); a member db whose meta page 0 is corrupt restores
 *   from meta page 1, as bbolt/etcdutl do, with a warning instead of a refusal.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, open, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { check } from '../support/conformance.js';
import { etcdctl, etcdctlOk, etcdutlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { etcdVersions, findEtcd, type EtcdPeer } from '../support/peers.js';
import { runKubekeeper } from '../support/cli.js';
import { until } from '../support/poll.js';
import { planMembers, restoreFlags, type RestoredPorts } from '../support/restore.js';
import { kubekeeperInProcess } from '../support/snapshot-data.js';
import { dbBuckets, diffBuckets } from './etcd-restore-data.js';

const MAX_INT64 = (1n << 63n) - 1n;
const MAX_BUMPED = MAX_INT64 - (1n << 40n);
/** etcdctl 3.4's restore keeps the old members and writes no meta/term (see etcd-restore-single). */
const known = (peer: EtcdPeer) => (peer.minor === '3.4' ? ['members', 'meta'] : []);

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

function startOn(peer: EtcdPeer, dataDir: string, m: RestoredPorts, initialCluster: string): Promise<EtcdProcess> {
  return startEtcd({ binDir: peer.binDir, dataDir, name: m.name, peerPort: m.peerPort, clientPort: m.clientPort, initialCluster });
}

/**
 * Starts etcd on a dir whose db carries a NOSPACE alarm: /health says false while an alarm is
 * active, so wait until the member answers a request (its alarm list) instead.
 */
async function startWithAlarm(peer: EtcdPeer, dataDir: string, m: RestoredPorts, initialCluster: string): Promise<EtcdProcess> {
  const etcd = await startEtcd({ binDir: peer.binDir, dataDir, name: m.name, peerPort: m.peerPort, clientPort: m.clientPort, initialCluster, noWait: true });
  const deadline = Date.now() + 30_000;
  let exited = false;
  void etcd.exited.then(() => (exited = true));
  let last = '';
  while (!exited && Date.now() < deadline) {
    const r = await etcdctl(etcd, ['alarm', 'list', '--command-timeout=2s']);
    if (r.code === 0) return etcd;
    last = r.stderr;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await etcd.stop();
  throw new Error(`etcd on ${dataDir} did not serve within 30 s (exited: ${exited}); last etcdctl error: ${last.trim()}\n${etcd.log().slice(-3000)}`);
}

for (const version of etcdVersions) test(`etcd ${version}: snapshot edge cases (issue 17 items 7 and 15)`, async (t: TestContext) => {
  const c = (capability: string) => ({ suite: 'etcd', peer: 'etcd', version, capability });
  const { peer, missing } = findEtcd(version);
  const caps = ['restore refuses a bump that leaves no room before int64 max', 'revisions above 2^53 print exactly in -w json (= etcdutl)',
    'a NOSPACE alarm is carried over with a warning (= etcdutl)', 'a corrupt meta page 0 falls back to meta page 1 (= etcdutl)'];
  if (!peer) {
    for (const cap of caps) await check(t, c(cap), async () => undefined, missing);
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), `kk-conf-edge-${version}-`));
  try {
    const source = await startEtcd({ binDir: peer.binDir, dataDir: path.join(dir, 'source'), quotaBackendBytes: 1024 * 1024 });
    const snapshot = path.join(dir, 'snap.db');
    const nospace = path.join(dir, 'nospace.db');
    let revision: bigint;
    try {
      // etcd 3.6+ writes its storage version into the db shortly after start; a snapshot taken
      // before that has none, and etcdutl 3.6 then counts and prints it unlike 3.5 (the file
      // cannot tell which wrote it). Real members have long written it: wait for it.
      if (!/^3\.[45]\./.test(version)) await until('the storage version', async () => (/"storageVersion":"3\./.test(await etcdctlOk(source, ['endpoint', 'status', '-w', 'json'])) ? true : undefined));
      for (let i = 0; i < 3; i++) await etcdctlOk(source, ['put', `k${i}`, `v${i}`]);
      revision = BigInt((JSON.parse(await etcdctlOk(source, ['get', 'k0', '-w', 'json'])) as { header: { revision: number } }).header.revision);
      await etcdctlOk(source, ['snapshot', 'save', snapshot]);
      // Fill the 1 MiB quota until etcd raises NOSPACE.
      for (let i = 0; i < 40; i++) {
        const r = await etcdctl(source, ['put', `fill-${i}`, 'F'.repeat(100_000)]);
        if (r.code !== 0) {
          assert.match(r.stderr, /database space exceeded/);
          break;
        }
      }
      assert.match(await etcdctlOk(source, ['alarm', 'list']), /alarm:NOSPACE/);
      const r = await runKubekeeper(['snapshot', 'save', nospace, ...source.clientFlags]);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      await source.stop();
    }
    // Ports are planned right before each restore that is started: a port found free long
    // before could be taken meanwhile (e.g. as the source port of another connection).
    let m: RestoredPorts;
    let initialCluster: string;
    let flags: string[];
    const replan = async () => {
      const planned = await planMembers(['edge']);
      m = planned.members[0] as RestoredPorts;
      initialCluster = planned.initialCluster;
      flags = restoreFlags(m, initialCluster, 'tok-edge');
    };
    await replan();

    await check(t, c(caps[0] as string), async () => {
      for (const bump of [9223372036854775804n, MAX_BUMPED - revision + 1n]) {
        const target = path.join(dir, `refused-${bump}`);
        const r = await runKubekeeper(['snapshot', 'restore', snapshot, '--data-dir', target, ...flags, '--bump-revision', String(bump), '--mark-compacted']);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /int64 maximum/);
        assert.match(r.stderr, /Hint: Use (a smaller )?--bump-revision/);
        assert.equal(await exists(target), false, 'nothing is left behind');
      }
    });
    await check(t, c(caps[1] as string), async () => {
      await replan();
      const target = path.join(dir, 'max-bump');
      const bump = MAX_BUMPED - revision;
      const r = await runKubekeeper(['snapshot', 'restore', snapshot, '--data-dir', target, ...flags, '--bump-revision', String(bump), '--mark-compacted', '-w', 'json']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`"before":${revision},"after":${MAX_BUMPED},"bumpedBy":${bump},`));
      const db = path.join(target, 'member', 'snap', 'db');
      for (const format of ['simple', 'table', 'json', 'fields']) {
        const ours = await kubekeeperInProcess(['snapshot', 'status', '-w', format, db]);
        assert.equal(ours.stdout, await etcdutlOk(peer, ['snapshot', 'status', '-w', format, db]), `-w ${format}`);
        if (format === 'json') assert.match(ours.stdout, new RegExp(`"revision":${MAX_BUMPED},`));
      }
      // etcd starts there and writes: the revision has room.
      const etcd = await startOn(peer, target, m, initialCluster);
      try {
        await etcdctlOk(etcd, ['put', 'after-max-bump', 'ok']);
        const got = await etcdctlOk(etcd, ['get', 'after-max-bump', '-w', 'json']);
        assert.match(got, new RegExp(`"revision":${MAX_BUMPED + 1n}[,}]`));
      } finally {
        await etcd.stop();
      }
    });
    await check(t, c(caps[2] as string), async () => {
      await replan();
      const kkDir = path.join(dir, 'nospace-kk');
      const toolDir = path.join(dir, 'nospace-tool');
      const r = await runKubekeeper(['snapshot', 'restore', nospace, '--data-dir', kkDir, ...flags, '--bump-revision', '0']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Warning: The snapshot carries the NOSPACE alarm of member [0-9a-f]+; it is carried over/);
      await etcdutlOk(peer, ['snapshot', 'restore', nospace, '--data-dir', toolDir, ...flags]);
      assert.deepEqual(diffBuckets(dbBuckets(path.join(toolDir, 'member/snap/db')), dbBuckets(path.join(kkDir, 'member/snap/db'))), known(peer));
      const alarms = [];
      for (const d of [toolDir, kkDir]) {
        const etcd = await startWithAlarm(peer, d, m, initialCluster);
        try {
          alarms.push((await etcdctlOk(etcd, ['alarm', 'list'])).trim());
        } finally {
          await etcd.stop();
        }
      }
      assert.equal(alarms[1], alarms[0]);
      assert.match(alarms[1] as string, /alarm:NOSPACE/);
    });
    await check(t, c(caps[3] as string), async () => {
      await replan();
      const copied = path.join(dir, 'meta0.db');
      await copyFile(path.join(dir, 'source', 'member', 'snap', 'db'), copied);
      const fh = await open(copied, 'r+');
      await fh.write(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4, 16); // meta 0's magic
      await fh.close();
      const verify = await kubekeeperInProcess(['snapshot', 'verify', copied]);
      assert.equal(verify.code, 0, verify.stdout);
      assert.match(verify.stdout, /^warn\s+meta\s+meta page 0: bad magic/m);
      for (const format of ['simple', 'json']) {
        const ours = await kubekeeperInProcess(['snapshot', 'status', '-w', format, copied]);
        assert.equal(ours.stdout, await etcdutlOk(peer, ['snapshot', 'status', '-w', format, copied]));
      }
      const kkDir = path.join(dir, 'meta0-kk');
      const toolDir = path.join(dir, 'meta0-tool');
      const r = await runKubekeeper(['snapshot', 'restore', copied, '--data-dir', kkDir, ...flags, '--skip-hash-check', '--bump-revision', '0']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Warning: meta: meta page 0: bad magic .*using meta page 1/);
      await etcdutlOk(peer, ['snapshot', 'restore', copied, '--data-dir', toolDir, ...flags, '--skip-hash-check']);
      assert.deepEqual(diffBuckets(dbBuckets(path.join(toolDir, 'member/snap/db')), dbBuckets(path.join(kkDir, 'member/snap/db'))), known(peer));
      const etcd = await startWithAlarm(peer, kkDir, m, initialCluster);
      try {
        assert.match(await etcdctlOk(etcd, ['get', 'fill-0', '--print-value-only']), /^F+/);
      } finally {
        await etcd.stop();
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
