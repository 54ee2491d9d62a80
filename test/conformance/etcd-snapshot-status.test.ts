/**
 * Conformance, every etcd version: `kubekeeper snapshot save` from a live member (plain and
 * mutual TLS) and `snapshot status`/`verify`, against THAT version's own tools: etcdctl for
 * save, etcdutl (3.4: etcdctl) for status. Status must be byte-equal in every -w format on
 * both our snapshot and theirs, and on a member db copied from a stopped member (no trailer).
 * Each version's tool must accept our snapshot, and `snapshot verify` theirs.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { check } from '../support/conformance.js';
import { etcdctlOk, etcdutl, etcdutlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { etcdVersions, findEtcd, type EtcdPeer } from '../support/peers.js';
import { kubekeeperInProcess } from '../support/snapshot-data.js';
import { runKubekeeper } from '../support/cli.js';
import { dbBuckets, diffBuckets } from './etcd-restore-data.js';

const FORMATS = ['simple', 'table', 'json', 'fields'] as const;

/** A keyspace (~5 MiB) with every kind of entry status counts: puts, a lease, a delete, a compaction. */
async function loadData(member: EtcdProcess): Promise<void> {
  for (let i = 1; i <= 6; i++) await etcdctlOk(member, ['put', `/registry/k${i}`, `v${i}`]);
  const lease = /lease ([0-9a-f]+) granted/.exec(await etcdctlOk(member, ['lease', 'grant', '600']))?.[1] as string;
  await etcdctlOk(member, ['put', '--lease', lease, 'leased', 'x']);
  await etcdctlOk(member, ['put', 'big', 'B'.repeat(9000)]);
  // Past 4 MiB of db, status hashes with its fast CRC engine (native or WebAssembly) instead
  // of the JavaScript one small files use: both must give the tool's hash.
  for (let i = 0; i < 40; i++) await etcdctlOk(member, ['put', `bulk/${i}`, String.fromCharCode(65 + (i % 26)).repeat(120_000)]);
  await etcdctlOk(member, ['del', '/registry/k2']);
  for (let i = 0; i < 3; i++) await etcdctlOk(member, ['put', 'foo', `bar${i}`]);
  const rev = (JSON.parse(await etcdctlOk(member, ['get', 'foo', '-w', 'json'])) as { header: { revision: number } }).header.revision;
  await etcdctlOk(member, ['compaction', String(rev - 1)]);
}

/** Buckets only client writes change (etcd itself may update meta, cluster and members between two saves). */
const CLIENT_BUCKETS = ['alarm', 'auth', 'authRoles', 'authUsers', 'key', 'lease'];

/** No client write between the two saves: both files hold the same keyspace, leases and auth. */
function assertSameKeyspace(a: string, b: string): void {
  const [x, y] = [dbBuckets(a), dbBuckets(b)];
  assert.ok((x.get('key')?.length ?? 0) >= 8, 'the key bucket holds the data set');
  assert.deepEqual(diffBuckets(x, y).filter((n) => CLIENT_BUCKETS.includes(n)), []);
}

async function kkSave(member: EtcdProcess, file: string): Promise<void> {
  const r = await runKubekeeper(['snapshot', 'save', file, ...member.clientFlags]);
  assert.equal(r.code, 0, r.stderr);
}

/** `snapshot status` of `file` must print exactly what the version's tool prints, per format. */
async function assertStatusEqual(peer: EtcdPeer, file: string): Promise<void> {
  for (const format of FORMATS) {
    const expected = await etcdutlOk(peer, ['snapshot', 'status', '-w', format, file]);
    const actual = await kubekeeperInProcess(['snapshot', 'status', '-w', format, file]);
    assert.equal(actual.code, 0, actual.stderr);
    assert.equal(actual.stdout, expected, `-w ${format}`);
  }
}

async function assertVerifies(file: string, trailer: boolean): Promise<void> {
  const r = await kubekeeperInProcess(['snapshot', 'verify', '-w', 'json', file]);
  const report = JSON.parse(r.stdout) as { ok: boolean; checks: { name: string; ok: boolean; skipped?: boolean; detail: string }[] };
  assert.equal(r.code, 0, r.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.checks.find((c) => c.name === 'trailer')?.skipped === true, !trailer);
}

const CAPABILITIES = [
  'snapshot save (plain) = etcdctl snapshot save',
  'snapshot save (mTLS) = etcdctl snapshot save',
  ...FORMATS.map((f) => `snapshot status -w ${f} = etcdutl (kubekeeper's snapshot)`),
  "snapshot status = etcdutl, every format (etcdctl's snapshot)",
  "snapshot status = etcdutl, every format (mTLS snapshots)",
  "etcdutl snapshot status and restore accept kubekeeper's snapshot",
  "snapshot verify accepts etcdctl's snapshot",
  'snapshot status/verify of a member db copied from a stopped member',
] as const;

for (const version of etcdVersions) {
  test(`etcd ${version}: snapshot save, status and verify against its own tools`, async (t: TestContext) => {
    const { peer, missing } = findEtcd(version);
    const c = (capability: (typeof CAPABILITIES)[number]) => ({ suite: 'etcd', peer: 'etcd', version, capability });
    if (!peer) {
      for (const cap of CAPABILITIES) await check(t, c(cap), async () => undefined, missing);
      return;
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), `kk-conf-status-${version}-`));
    const started: EtcdProcess[] = [];
    try {
      const plain = await startEtcd({ binDir: peer.binDir, dataDir: path.join(dir, 'plain') });
      started.push(plain);
      const tls = await startEtcd({ binDir: peer.binDir, tls: true });
      started.push(tls);
      await Promise.all([loadData(plain), loadData(tls)]);
      const f = (name: string) => path.join(dir, `${name}.db`);

      await check(t, c('snapshot save (plain) = etcdctl snapshot save'), async () => {
        await kkSave(plain, f('kk'));
        await etcdctlOk(plain, ['snapshot', 'save', f('etcdctl')]);
        assertSameKeyspace(f('kk'), f('etcdctl'));
      });
      await check(t, c('snapshot save (mTLS) = etcdctl snapshot save'), async () => {
        await kkSave(tls, f('kk-tls'));
        await etcdctlOk(tls, ['snapshot', 'save', f('etcdctl-tls')]);
        assertSameKeyspace(f('kk-tls'), f('etcdctl-tls'));
        // Without the client certificate the member refuses us, as it refuses etcdctl.
        const r = await runKubekeeper(['snapshot', 'save', f('no-cert'), `--endpoints=${tls.clientUrl}`, `--cacert=${tls.tls?.caCert as string}`]);
        assert.notEqual(r.code, 0);
      });
      for (const format of FORMATS) {
        await check(t, c(`snapshot status -w ${format} = etcdutl (kubekeeper's snapshot)`), async () => {
          const expected = await etcdutlOk(peer, ['snapshot', 'status', '-w', format, f('kk')]);
          const actual = await kubekeeperInProcess(['snapshot', 'status', '-w', format, f('kk')]);
          assert.equal(actual.code, 0, actual.stderr);
          assert.equal(actual.stdout, expected);
        });
      }
      await check(t, c("snapshot status = etcdutl, every format (etcdctl's snapshot)"), () => assertStatusEqual(peer, f('etcdctl')));
      await check(t, c('snapshot status = etcdutl, every format (mTLS snapshots)'), async () => {
        await assertStatusEqual(peer, f('kk-tls'));
        await assertStatusEqual(peer, f('etcdctl-tls'));
      });
      await check(t, c("etcdutl snapshot status and restore accept kubekeeper's snapshot"), async () => {
        const r = await etcdutl(peer, ['snapshot', 'status', f('kk')]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^[0-9a-f]+, \d+, \d+, [\d.]+ [kM]B/);
        // Its restore checks our sha256 trailer (no --skip-hash-check) and accepts the file.
        await etcdutlOk(peer, ['snapshot', 'restore', f('kk'), '--data-dir', path.join(dir, 'tool-restore-of-kk')]);
      });
      await check(t, c("snapshot verify accepts etcdctl's snapshot"), async () => {
        await assertVerifies(f('etcdctl'), true);
        await assertVerifies(f('etcdctl-tls'), true);
        await assertVerifies(f('kk'), true);
      });
      await check(t, c('snapshot status/verify of a member db copied from a stopped member'), async () => {
        await plain.stop();
        await copyFile(path.join(plain.dataDir, 'member', 'snap', 'db'), f('member'));
        await assertStatusEqual(peer, f('member'));
        await assertVerifies(f('member'), false);
      });
    } finally {
      for (const m of started) await m.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
